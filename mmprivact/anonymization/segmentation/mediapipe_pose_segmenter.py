"""Person masks from the MediaPipe Pose model's segmentation output."""
from typing import Any, Optional

import numpy as np

from ..pose.mediapipe_pose_estimator import MediaPipePoseEstimator
from ..pose.pose_sequence import PoseSequence
from .person_segmenter import PersonSegmenter, check_threshold
from .registry import SEGMENTERS


@SEGMENTERS.register()
class MediaPipePoseSegmenter(PersonSegmenter):
    """The mask MediaPipe Pose predicts for the person it tracks, thresholded.

    It covers the one tracked person only (see
    :class:`~..pose.MediaPipePoseEstimator`); frames where nobody is found
    get an empty mask. When the pipeline already ran the pose estimator,
    :meth:`from_pose` reuses its masks instead of running the model again.

    Args:
        threshold (float): Person probability threshold. Defaults to 0.5.
        min_detection_confidence (float): Person detector threshold.
        min_tracking_confidence (float): Landmark tracking threshold.
    """

    def __init__(self,
                 threshold: float = 0.5,
                 min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        self.threshold = check_threshold(threshold)
        self.estimator = MediaPipePoseEstimator(
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            enable_segmentation=True,
            smoothing=None)

    def from_pose(self, seq: PoseSequence) -> np.ndarray:
        """Threshold the segmentation carried by a pose result.

        Args:
            seq (PoseSequence): Output of a MediaPipe pose estimator run
                with ``enable_segmentation=True``.

        Returns:
            np.ndarray: bool (T, H, W).
        """
        if seq.segmentation is None:
            raise ValueError('This PoseSequence carries no segmentation; run '
                             'MediaPipePoseEstimator(enable_segmentation=True)'
                             ' or call the segmenter on the frames.')
        return seq.segmentation > self.threshold

    def segment(self, frames: np.ndarray, source: Optional[Any]) -> np.ndarray:
        """Run MediaPipe Pose and threshold its mask.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            source (str | None): Ignored.

        Returns:
            np.ndarray: bool (T, H, W).
        """
        return self.from_pose(self.estimator(frames))

    def __repr__(self) -> str:
        return f'{type(self).__name__}(threshold={self.threshold})'
