"""An offline face detector, to check that anonymized faces are gone."""
from typing import List, Tuple

import numpy as np


class FaceDetector:
    """MediaPipe's bundled short-range face detector (offline).

    Args:
        min_confidence (float): Detection threshold. Defaults to 0.5.
    """

    def __init__(self, min_confidence: float = 0.5) -> None:
        import mediapipe as mp
        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=0, min_detection_confidence=min_confidence)

    def __call__(self, frame: np.ndarray) -> List[Tuple[float, ...]]:
        """Face boxes (x0, y0, x1, y1) in pixels of one RGB frame."""
        h, w = frame.shape[:2]
        found = self._detector.process(np.ascontiguousarray(frame))
        boxes = []
        for det in found.detections or []:
            b = det.location_data.relative_bounding_box
            boxes.append((b.xmin * w, b.ymin * h, (b.xmin + b.width) * w,
                          (b.ymin + b.height) * h))
        return boxes

    def close(self) -> None:
        """Free the detector."""
        self._detector.close()
