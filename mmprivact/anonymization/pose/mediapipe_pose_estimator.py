"""Offline 3D pose from MediaPipe Pose (the model bundled in its wheel)."""
import logging
from typing import Any, Optional

import numpy as np

from ..camera import check_intrinsics, intrinsics_from_fov
from .base_pose_estimator import PoseEstimator
from .joint_layouts import MEDIAPIPE33
from .mediapipe_landmarks import place_landmarks
from .pose_sequence import PoseSequence, interpolate_invalid
from .registry import POSE_ESTIMATORS

logger = logging.getLogger(__name__)

_DEFAULT_SMOOTHING = dict(type='OneEuro', min_cutoff=1.0, beta=0.05, fps=30.0)


@POSE_ESTIMATORS.register()
class MediaPipePoseEstimator(PoseEstimator):
    """BlazePose (MediaPipe Pose, model_complexity=1), placed in the camera.

    Runs fully offline: mediapipe 0.10.21 ships ``pose_detection.tflite`` and
    ``pose_landmark_full.tflite`` (only ``model_complexity=1``; the other
    complexities try to download their model). Per frame it gives 33 image
    landmarks, 33 metric *world* landmarks centred between the hips, and a
    person segmentation mask.

    Coordinates: MediaPipe's world landmarks share the image axes (x to the
    image right, y down, z away from the camera, negative z towards it), so
    they are already OpenCV-aligned root-relative joints; the body's
    translation is recovered with :func:`~..camera.solve_translation`
    against the image landmarks, weighted by visibility, using ``K`` (or
    :func:`~..camera.intrinsics_from_fov` when unknown, so absolute depth is
    only as right as that FOV guess). Image landmarks are normalised to the
    image edges; they are converted to pixel-centre coordinates
    ``u = x * W - 0.5``.

    Tracking: the graph runs in video mode (``static_image_mode=False``): it
    detects a person, then tracks them from the previous frame's landmarks,
    re-detecting when tracking is lost. A fresh graph is made per call, so
    nothing leaks between clips. Frames where nobody is found get
    ``valid=False``, confidence 0, and joints interpolated linearly from the
    nearest valid frames (held at the ends); segmentation there is all 0.

    Limitation: MediaPipe's (legacy) Pose solution finds *one* person, the
    most prominent; ``max_people`` must be 1. Other people in the frame get
    no avatar and stay in the background (the segmentation mask may or may
    not cover them).

    Args:
        K (np.ndarray, optional): (3, 3) intrinsics of the video; None uses
            ``intrinsics_from_fov(H, W, fov_deg)``.
        fov_deg (float): Field of view across the larger image side used
            when ``K`` is None. Defaults to 60.
        max_people (int): Must be 1 (see the limitation above).
        min_detection_confidence (float): Person detector threshold.
        min_tracking_confidence (float): Landmark tracking threshold; below
            it the detector runs again on the next frame.
        enable_segmentation (bool): Also return the person mask in
            :attr:`PoseSequence.segmentation`. Defaults to True.
        mediapipe_smoothing (bool): MediaPipe's own landmark filter. Off by
            default so that ``smoothing`` is the only (documented) filter.
        static_image_mode (bool): Detect independently in every frame
            (slower, no tracking). Defaults to False.
        smoothing (dict | None): Temporal smoother config, see
            :class:`~.temporal_smoothing.OneEuroFilter`. Defaults to
            ``dict(type='OneEuro', min_cutoff=1.0, beta=0.05, fps=30.0)``.
    """

    def __init__(self,
                 K: Optional[np.ndarray] = None,
                 fov_deg: float = 60.0,
                 max_people: int = 1,
                 min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5,
                 enable_segmentation: bool = True,
                 mediapipe_smoothing: bool = False,
                 static_image_mode: bool = False,
                 smoothing: Any = _DEFAULT_SMOOTHING) -> None:
        super().__init__(smoothing=smoothing)
        if max_people != 1:
            raise ValueError(
                f'max_people={max_people!r} is not supported: MediaPipe Pose '
                'tracks one person (the most prominent). Use max_people=1, '
                'or a dataset skeleton backend (NTUSkeletonPose, '
                'MMAction2PklPose) for multi-person clips.')
        for name, value in (('min_detection_confidence',
                             min_detection_confidence),
                            ('min_tracking_confidence',
                             min_tracking_confidence)):
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f'{name} must lie in [0, 1]; got {value!r}.')
        self.K = None if K is None else check_intrinsics(K)
        self.fov_deg = float(fov_deg)
        self.max_people = 1
        self.min_detection_confidence = float(min_detection_confidence)
        self.min_tracking_confidence = float(min_tracking_confidence)
        self.enable_segmentation = bool(enable_segmentation)
        self.mediapipe_smoothing = bool(mediapipe_smoothing)
        self.static_image_mode = bool(static_image_mode)
        # Import now so a missing / broken mediapipe fails at build time.
        from mediapipe.python.solutions import pose as mp_pose
        self._mp_pose = mp_pose

    def _new_graph(self) -> Any:
        return self._mp_pose.Pose(
            static_image_mode=self.static_image_mode,
            model_complexity=1,  # The only model bundled in the wheel.
            smooth_landmarks=self.mediapipe_smoothing,
            enable_segmentation=self.enable_segmentation,
            smooth_segmentation=self.mediapipe_smoothing,
            min_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence)

    def estimate(self, frames: Optional[np.ndarray],
                 source: Optional[str]) -> PoseSequence:
        """Run MediaPipe Pose on every frame (see the class docstring).

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3) RGB.
            source (str | None): Ignored.

        Returns:
            PoseSequence: One person, layout ``'mediapipe33'``.
        """
        if frames is None:
            raise ValueError('MediaPipePoseEstimator needs the frames; got '
                             'None.')
        T, H, W = frames.shape[:3]
        K = self.K if self.K is not None else intrinsics_from_fov(
            H, W, self.fov_deg)
        J = len(MEDIAPIPE33)
        j3d = np.full((1, T, J, 3), np.nan, np.float32)
        j2d = np.full((1, T, J, 2), np.nan, np.float32)
        conf = np.zeros((1, T, J), np.float32)
        valid = np.zeros((1, T), bool)
        seg = np.zeros((T, H, W), np.float32) \
            if self.enable_segmentation else None
        graph = self._new_graph()
        try:
            for t in range(T):
                result = graph.process(np.ascontiguousarray(frames[t]))
                if seg is not None and result.segmentation_mask is not None:
                    seg[t] = np.clip(result.segmentation_mask, 0.0, 1.0)
                if result.pose_landmarks is None or \
                        result.pose_world_landmarks is None:
                    continue
                img = np.array([(lm.x, lm.y, lm.visibility)
                                for lm in result.pose_landmarks.landmark])
                world = np.array([
                    (lm.x, lm.y, lm.z)
                    for lm in result.pose_world_landmarks.landmark
                ])
                placed = place_landmarks(img, world, K, H, W)
                if placed is None:
                    continue
                j3d[0, t], j2d[0, t], conf[0, t] = placed
                valid[0, t] = True
        finally:
            graph.close()
        if not valid.any():
            logger.info('MediaPipe found nobody in any of the %d frames.', T)
        return PoseSequence(joints3d=interpolate_invalid(j3d, valid),
                            joints2d=interpolate_invalid(j2d, valid),
                            confidence=conf,
                            valid=valid,
                            layout='mediapipe33',
                            K=K,
                            image_size=(H, W),
                            segmentation=seg)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(fov_deg={self.fov_deg}, '
                f'min_detection_confidence={self.min_detection_confidence}, '
                f'smoothing={self.smoother!r})')
