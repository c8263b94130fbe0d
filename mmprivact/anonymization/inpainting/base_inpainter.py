"""The inpainting stage interface: remove the real person from a clip."""
from abc import ABCMeta, abstractmethod

import numpy as np

from ..array_checks import check_frames, check_mask, check_non_negative_int, \
    dilate_masks


class BaseInpainter(metaclass=ABCMeta):
    """Fill the hole left by the removed person in every frame.

    Subclasses implement :meth:`inpaint`. :meth:`__call__` checks the input,
    grows the hole by ``dilate`` pixels (segmentation edges often still carry
    the person's colour), calls :meth:`inpaint` and then copies every pixel
    outside the grown hole from the input, so those pixels are returned
    exactly unchanged whatever the backend does.

    Args:
        dilate (int): Grow the hole by this many pixels (Euclidean disk)
            before filling. Defaults to 0.
    """

    def __init__(self, dilate: int = 0) -> None:
        self.dilate = check_non_negative_int('dilate', dilate)

    def __call__(self, frames: np.ndarray,
                 hole_mask: np.ndarray) -> np.ndarray:
        """Inpaint ``frames`` inside ``hole_mask``.

        Args:
            frames (np.ndarray): uint8 RGB clip (T, H, W, 3).
            hole_mask (np.ndarray): bool (T, H, W), True where the person
                was (pixels to fill).

        Returns:
            np.ndarray: uint8 (T, H, W, 3); equal to ``frames`` outside the
            (dilated) hole.
        """
        check_frames('frames', frames)
        check_mask('hole_mask', hole_mask, frames.shape[:3])
        hole = dilate_masks(hole_mask, self.dilate)
        if not hole.any():
            return frames.copy()
        filled = self.inpaint(frames, hole)
        if filled.shape != frames.shape or filled.dtype != np.uint8:
            raise RuntimeError(
                f'{type(self).__name__}.inpaint returned {filled.dtype} '
                f'{filled.shape}; expected uint8 {frames.shape}.')
        return np.where(hole[..., None], filled, frames)

    @abstractmethod
    def inpaint(self, frames: np.ndarray, hole: np.ndarray) -> np.ndarray:
        """Backend work: fill ``hole`` (already checked and dilated).

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            hole (np.ndarray): bool (T, H, W), not all False.

        Returns:
            np.ndarray: uint8 (T, H, W, 3). Pixels outside ``hole`` are
            ignored (the caller restores them).
        """

    def __repr__(self) -> str:
        return f'{type(self).__name__}(dilate={self.dilate})'
