"""Person masks from MediaPipe Selfie Segmentation (bundled model)."""
from typing import Optional

import numpy as np

from .person_segmenter import PersonSegmenter, check_threshold
from .registry import SEGMENTERS


@SEGMENTERS.register()
class MediaPipeSelfieSegmenter(PersonSegmenter):
    """MediaPipe Selfie Segmentation, thresholded.

    Runs offline from the models shipped in the mediapipe 0.10.21 wheel
    (``selfie_segmentation.tflite``, 256x256 input, and
    ``selfie_segmentation_landscape.tflite``, 144x256). It segments *all*
    people, not one, and is tuned for people near the camera; distant
    full-body people are segmented less reliably than by the pose model
    (:class:`~.mediapipe_pose_segmenter.MediaPipePoseSegmenter`).

    Args:
        threshold (float): Person probability above which a pixel is
            masked. Defaults to 0.5.
        model_selection (int): 0 general (square) model, 1 landscape model.
            Defaults to 0.
    """

    def __init__(self,
                 threshold: float = 0.5,
                 model_selection: int = 0) -> None:
        self.threshold = check_threshold(threshold)
        if model_selection not in (0, 1):
            raise ValueError('model_selection must be 0 (general) or 1 '
                             f'(landscape); got {model_selection!r}.')
        self.model_selection = int(model_selection)
        from mediapipe.python.solutions import selfie_segmentation
        self._module = selfie_segmentation

    def probabilities(self, frames: np.ndarray) -> np.ndarray:
        """Per-pixel person probability.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3), already checked.

        Returns:
            np.ndarray: float32 (T, H, W) in [0, 1].
        """
        out = np.zeros(frames.shape[:3], np.float32)
        with self._module.SelfieSegmentation(
                model_selection=self.model_selection) as graph:
            for t in range(len(frames)):
                mask = graph.process(np.ascontiguousarray(
                    frames[t])).segmentation_mask
                if mask is not None:
                    out[t] = np.clip(mask, 0.0, 1.0)
        return out

    def segment(self, frames: np.ndarray, source: Optional[str]) -> np.ndarray:
        """Threshold :meth:`probabilities`.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            source (str | None): Ignored.

        Returns:
            np.ndarray: bool (T, H, W).
        """
        return self.probabilities(frames) > self.threshold

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(threshold={self.threshold}, '
                f'model_selection={self.model_selection})')
