"""The obfuscation stage interface: classical person-hiding baselines."""
from abc import ABCMeta, abstractmethod

import numpy as np

from ..array_checks import check_frames, check_mask, \
    check_non_negative_int, dilate_masks


class BaseObfuscator(metaclass=ABCMeta):
    """Hide the person by altering only the pixels of the (dilated) mask.

    Baselines to compare avatar anonymization with. Subclasses implement
    :meth:`obfuscate`, which may compute a whole altered frame;
    :meth:`__call__` grows the mask by ``dilate`` pixels and then takes the
    altered value inside the grown mask and the input everywhere else, so
    pixels outside it are returned exactly unchanged.

    Args:
        dilate (int): Grow the person mask by this many pixels (Euclidean
            disk) first. Defaults to 0.
    """

    def __init__(self, dilate: int = 0) -> None:
        self.dilate = check_non_negative_int('dilate', dilate)

    def __call__(self, frames: np.ndarray,
                 person_mask: np.ndarray) -> np.ndarray:
        """Obfuscate the person in ``frames``.

        Args:
            frames (np.ndarray): uint8 RGB clip (T, H, W, 3).
            person_mask (np.ndarray): bool (T, H, W), True on the person.

        Returns:
            np.ndarray: uint8 (T, H, W, 3); equal to ``frames`` outside the
            dilated mask.
        """
        check_frames('frames', frames)
        check_mask('person_mask', person_mask, frames.shape[:3])
        region = dilate_masks(person_mask, self.dilate)
        if not region.any():
            return frames.copy()
        altered = self.obfuscate(frames, region)
        return np.where(region[..., None], altered, frames)

    @abstractmethod
    def obfuscate(self, frames: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Backend work: the altered clip (only ``region`` is kept).

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            region (np.ndarray): bool (T, H, W), the dilated mask.

        Returns:
            np.ndarray: uint8 (T, H, W, 3).
        """

    def __repr__(self) -> str:
        return f'{type(self).__name__}(dilate={self.dilate})'
