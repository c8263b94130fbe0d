"""The pose stage interface."""
from abc import ABCMeta, abstractmethod
from typing import Any, Optional

import numpy as np

from .pose_sequence import PoseSequence
from .registry import build_pose_smoother


def check_frames(frames: Any, name: str = 'frames') -> np.ndarray:
    """Validate a uint8 RGB clip.

    Args:
        frames (np.ndarray): (T, H, W, 3) uint8.
        name (str): Argument name for messages.

    Returns:
        np.ndarray: ``frames`` as an array.
    """
    arr = np.asarray(frames)
    if arr.ndim != 4 or arr.shape[-1] != 3 or arr.dtype != np.uint8 or \
            arr.shape[0] == 0:
        raise ValueError(f'{name} must be a uint8 RGB clip of shape '
                         f'(T, H, W, 3) with T >= 1; got {arr.dtype} '
                         f'{arr.shape}. Add a time axis with frame[None] for '
                         'a single image.')
    return arr


class PoseEstimator(metaclass=ABCMeta):
    """Estimates tracked 3D poses of the people in a clip.

    Subclasses implement :meth:`estimate`; :meth:`__call__` validates the
    input and applies the configured temporal smoothing.

    Args:
        smoothing (dict | OneEuroFilter | None): Temporal smoother config,
            e.g. ``dict(type='OneEuro', min_cutoff=1.0, beta=0.05,
            fps=30)``; None disables smoothing.
    """

    def __init__(self, smoothing: Any = None) -> None:
        self.smoother = build_pose_smoother(smoothing)

    def __call__(self,
                 frames: Optional[np.ndarray],
                 source: Optional[str] = None) -> PoseSequence:
        """Poses of the people in ``frames``.

        Args:
            frames (np.ndarray | None): uint8 RGB clip (T, H, W, 3). Backends
                reading dataset skeletons accept None (then the clip length
                and size come from the file).
            source (str, optional): Identifier of the clip for backends that
                read dataset-provided skeletons (a file path or a video id);
                ignored by image-based estimators.

        Returns:
            PoseSequence: The tracked poses (``T`` equal to the clip's).
        """
        if frames is not None:
            frames = check_frames(frames)
        seq = self.estimate(frames, source)
        if self.smoother is not None:
            seq = self.smoother.smooth(seq)
        return seq

    @abstractmethod
    def estimate(self, frames: Optional[np.ndarray],
                 source: Optional[str]) -> PoseSequence:
        """Backend work, on checked input, before smoothing.

        Args:
            frames (np.ndarray | None): (T, H, W, 3) uint8 or None.
            source (str | None): Clip identifier.

        Returns:
            PoseSequence: Unsmoothed poses.
        """

    def __repr__(self) -> str:
        return f'{type(self).__name__}(smoothing={self.smoother!r})'
