"""Offline 3D pose of several people: MediaPipe Tasks' PoseLandmarker."""
import logging
from typing import Any, Dict, List, Optional

import numpy as np

from ..camera import check_intrinsics, intrinsics_from_fov
from .base_pose_estimator import PoseEstimator
from .joint_layouts import MEDIAPIPE33
from .mediapipe_landmarks import place_landmarks
from .mediapipe_model_bundle import pose_landmarker_bundle
from .pose_sequence import PoseSequence, interpolate_invalid
from .pose_tracker import PoseTracker
from .registry import POSE_ESTIMATORS

logger = logging.getLogger(__name__)

_DEFAULT_SMOOTHING = dict(type='OneEuro', min_cutoff=1.0, beta=0.05, fps=30.0)


@POSE_ESTIMATORS.register()
class MediaPipeMultiPoseEstimator(PoseEstimator):
    """Up to ``max_people`` people per frame, each tracked and placed in 3D.

    The same BlazePose networks as :class:`MediaPipePoseEstimator`, run
    through MediaPipe Tasks' ``PoseLandmarker`` (which finds several
    people) from a bundle assembled from the wheel's own models
    (:func:`~.mediapipe_model_bundle.pose_landmarker_bundle`; offline).
    Per frame and person: 33 image landmarks, 33 metric world landmarks
    placed in the camera (:func:`~.mediapipe_landmarks.place_landmarks`,
    ``K`` or a ``fov_deg`` guess) and a segmentation mask.

    Identity: detections are linked frame to frame by :class:`PoseTracker`
    (Hungarian matching on size-normalised landmark distance). Every track
    becomes one person of the :class:`PoseSequence` (``valid`` only where
    that person was found; the anonymizer renders an avatar only there).
    Tracks shorter than ``min_track_frames`` are dropped as spurious
    detections; their pixels stay in the segmentation (so they are still
    removed from the frame and stay sensitive in the privacy mask).

    Args:
        K (np.ndarray, optional): (3, 3) intrinsics; None uses
            ``intrinsics_from_fov(H, W, fov_deg)``.
        fov_deg (float): Field of view across the larger image side when
            ``K`` is None. Defaults to 60.
        max_people (int): Most people found per frame. Defaults to 4.
        min_detection_confidence (float): Person detector threshold.
        min_presence_confidence (float): Landmark presence threshold.
        min_tracking_confidence (float): Below it, MediaPipe re-detects.
        enable_segmentation (bool): Also return the union of the people's
            masks in :attr:`PoseSequence.segmentation`. Defaults to True.
        min_track_frames (int): Shortest track kept. Defaults to 3.
        tracker (dict, optional): Arguments of :class:`PoseTracker`.
        smoothing (dict | None): Temporal smoother config (per person).
    """

    def __init__(self,
                 K: Optional[np.ndarray] = None,
                 fov_deg: float = 60.0,
                 max_people: int = 4,
                 min_detection_confidence: float = 0.5,
                 min_presence_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5,
                 enable_segmentation: bool = True,
                 min_track_frames: int = 3,
                 tracker: Optional[Dict[str, Any]] = None,
                 smoothing: Any = _DEFAULT_SMOOTHING) -> None:
        super().__init__(smoothing=smoothing)
        if not isinstance(max_people, int) or max_people < 1:
            raise ValueError(
                f'max_people must be an int >= 1; got {max_people!r}.')
        if not isinstance(min_track_frames, int) or min_track_frames < 1:
            raise ValueError(f'min_track_frames must be an int >= 1; got '
                             f'{min_track_frames!r}.')
        for name, value in (('min_detection_confidence',
                             min_detection_confidence),
                            ('min_presence_confidence',
                             min_presence_confidence),
                            ('min_tracking_confidence',
                             min_tracking_confidence)):
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f'{name} must lie in [0, 1]; got {value!r}.')
        self.K = None if K is None else check_intrinsics(K)
        self.fov_deg = float(fov_deg)
        self.max_people = max_people
        self.confidences = dict(
            min_pose_detection_confidence=float(min_detection_confidence),
            min_pose_presence_confidence=float(min_presence_confidence),
            min_tracking_confidence=float(min_tracking_confidence))
        self.enable_segmentation = bool(enable_segmentation)
        self.min_track_frames = min_track_frames
        self.tracker_cfg = dict(tracker or {})
        PoseTracker(**self.tracker_cfg)  # check its arguments now
        # Build the bundle now, so a broken mediapipe fails at build time.
        self.model_path = pose_landmarker_bundle()

    def _new_landmarker(self) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=self.model_path),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=self.max_people,
            output_segmentation_masks=self.enable_segmentation,
            **self.confidences)
        return vision.PoseLandmarker.create_from_options(options)

    def estimate(self, frames: Optional[np.ndarray],
                 source: Optional[str]) -> PoseSequence:
        """Find, place and track everyone (see the class docstring).

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3) RGB.
            source (str | None): Ignored.

        Returns:
            PoseSequence: One entry per kept track (possibly none), layout
            ``'mediapipe33'``.
        """
        import mediapipe as mp
        if frames is None:
            raise ValueError('MediaPipeMultiPoseEstimator needs the frames; '
                             'got None.')
        T, H, W = frames.shape[:3]
        K = self.K if self.K is not None else intrinsics_from_fov(
            H, W, self.fov_deg)
        seg = np.zeros((T, H, W), np.float32) \
            if self.enable_segmentation else None
        tracker = PoseTracker(**self.tracker_cfg)
        found: List[Dict[int, tuple]] = []  # per frame: track -> placed
        landmarker = self._new_landmarker()
        try:
            for t in range(T):
                image = mp.Image(image_format=mp.ImageFormat.SRGB,
                                 data=np.ascontiguousarray(frames[t]))
                # VIDEO mode wants increasing timestamps; their scale only
                # matters to MediaPipe's own smoothing, which is off here.
                result = landmarker.detect_for_video(image, 33 * t)
                if seg is not None:
                    for mask in result.segmentation_masks or []:
                        np.maximum(seg[t], np.clip(mask.numpy_view(), 0, 1),
                                   out=seg[t])
                placed = []
                for img_lms, world_lms in zip(result.pose_landmarks,
                                              result.pose_world_landmarks):
                    img = np.array([(lm.x, lm.y, lm.visibility or 0.0)
                                    for lm in img_lms])
                    world = np.array([(lm.x, lm.y, lm.z) for lm in world_lms])
                    person = place_landmarks(img, world, K, H, W)
                    if person is not None:
                        placed.append(person)
                ids = tracker.update(t, [p[1] for p in placed],
                                     [p[2] for p in placed])
                found.append(dict(zip(ids, placed)))
        finally:
            landmarker.close()
        return self._assemble(found, tracker.num_tracks, T, K, (H, W), seg)

    def _assemble(self, found, num_tracks, T, K, image_size, seg):
        lengths = np.zeros(num_tracks, int)
        first = np.full(num_tracks, T, int)
        for t, people in enumerate(found):
            for k in people:
                lengths[k] += 1
                first[k] = min(first[k], t)
        keep = [k for k in np.lexsort((-lengths, first))
                if lengths[k] >= self.min_track_frames]
        dropped = num_tracks - len(keep)
        if dropped:
            logger.info('%d short track(s) (< %d frames) dropped; their '
                        'pixels stay in the segmentation.', dropped,
                        self.min_track_frames)
        P, J = len(keep), len(MEDIAPIPE33)
        j3d = np.full((P, T, J, 3), np.nan, np.float32)
        j2d = np.full((P, T, J, 2), np.nan, np.float32)
        conf = np.zeros((P, T, J), np.float32)
        valid = np.zeros((P, T), bool)
        for p, k in enumerate(keep):
            for t, people in enumerate(found):
                if k in people:
                    j3d[p, t], j2d[p, t], conf[p, t] = people[k]
                    valid[p, t] = True
        if not P:
            logger.info('MediaPipe found nobody in any of the %d frames.', T)
        return PoseSequence(joints3d=interpolate_invalid(j3d, valid),
                            joints2d=interpolate_invalid(j2d, valid),
                            confidence=conf,
                            valid=valid,
                            layout='mediapipe33',
                            K=K,
                            image_size=image_size,
                            segmentation=seg)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(max_people={self.max_people}, '
                f'fov_deg={self.fov_deg}, smoothing={self.smoother!r})')
