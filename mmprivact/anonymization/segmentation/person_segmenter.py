"""The segmentation stage interface: where are the people?"""
from abc import ABCMeta, abstractmethod
from typing import Optional

import numpy as np

from ..pose.base_pose_estimator import check_frames


def check_threshold(threshold: float) -> float:
    """Validate a probability threshold.

    Args:
        threshold (float): In (0, 1).

    Returns:
        float: The threshold.
    """
    if not 0.0 < float(threshold) < 1.0:
        raise ValueError('threshold must lie in (0, 1) (person probability '
                         f'above which a pixel is "person"); got '
                         f'{threshold!r}.')
    return float(threshold)


class PersonSegmenter(metaclass=ABCMeta):
    """Computes a per-pixel person mask for every frame of a clip.

    Subclasses implement :meth:`segment`; :meth:`__call__` checks the input
    and the backend's output.
    """

    def __call__(self,
                 frames: np.ndarray,
                 source: Optional[str] = None) -> np.ndarray:
        """Person masks of ``frames``.

        Args:
            frames (np.ndarray): uint8 RGB clip (T, H, W, 3).
            source (str, optional): Clip identifier, for backends that read
                dataset-provided masks; ignored by image-based ones.

        Returns:
            np.ndarray: bool (T, H, W), True on people.
        """
        frames = check_frames(frames)
        masks = self.segment(frames, source)
        if masks.shape != frames.shape[:3] or masks.dtype != np.bool_:
            raise RuntimeError(
                f'{type(self).__name__}.segment returned {masks.dtype} '
                f'{masks.shape}; expected bool {frames.shape[:3]}.')
        return masks

    @abstractmethod
    def segment(self, frames: np.ndarray, source: Optional[str]) -> np.ndarray:
        """Backend work on checked frames.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            source (str | None): Clip identifier.

        Returns:
            np.ndarray: bool (T, H, W).
        """

    def __repr__(self) -> str:
        return f'{type(self).__name__}()'
