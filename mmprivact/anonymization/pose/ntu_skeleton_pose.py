"""NTU RGB+D ``.skeleton`` files (Kinect v2, 25 joints)."""
import logging
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ._kinect import (KINECT_V2_COLOR_K, KINECT_V2_COLOR_SIZE, NTU_AXIS_SIGNS,
                      fit_color_camera, kinect_to_opencv)
from .joint_layouts import NTU25, left_right_permutation
from .pose_sequence import PoseSequence, interpolate_invalid
from .registry import POSE_ESTIMATORS
from .skeleton_file_pose import SkeletonFilePose

logger = logging.getLogger(__name__)

_BODY_INFO = 10  # bodyID clipedEdges handL conf/state handR conf/state ...
_JOINT_VALUES = 12  # x y z depthX depthY colorX colorY qw qx qy qz state
_STATE_CONFIDENCE = np.array([0.0, 0.5, 1.0], np.float32)  # not/inferred/ok


def parse_ntu_skeleton(text: str) -> List[List[Tuple[str, np.ndarray]]]:
    """Parse the text of an NTU RGB+D ``.skeleton`` file.

    Format: frame count; per frame a body count; per body a line of 10
    values (bodyID, clipedEdges, handLeftConfidence, handLeftState,
    handRightConfidence, handRightState, isResticted, leanX, leanY,
    trackingState), the joint count (25) and per joint 12 values
    (x y z depthX depthY colorX colorY orientationW X Y Z trackingState).

    Args:
        text (str): File content.

    Returns:
        list[list[tuple[str, np.ndarray]]]: Per frame, the ``(bodyID,
        joints)`` of each body, ``joints`` float64 (25, 12).
    """
    tokens = text.split()
    pos = 0

    def take(n: int) -> List[str]:
        nonlocal pos
        if pos + n > len(tokens):
            raise ValueError('NTU skeleton text ends early (truncated file?) '
                             f'at token {pos}; expected {n} more values.')
        out = tokens[pos:pos + n]
        pos += n
        return out

    frames = []
    for _ in range(int(take(1)[0])):
        bodies = []
        for _ in range(int(take(1)[0])):
            body_id = take(_BODY_INFO)[0]
            num_joints = int(take(1)[0])
            if num_joints != len(NTU25):
                raise ValueError(f'NTU body {body_id} has {num_joints} joints;'
                                 f' expected {len(NTU25)} (Kinect v2).')
            values = np.array(take(num_joints * _JOINT_VALUES), np.float64)
            bodies.append((body_id, values.reshape(num_joints, _JOINT_VALUES)))
        frames.append(bodies)
    if pos != len(tokens):
        raise ValueError(f'NTU skeleton text has {len(tokens) - pos} values '
                         'after the last frame; the file is not in the '
                         '.skeleton format.')
    return frames


@POSE_ESTIMATORS.register()
class NTUSkeletonPose(SkeletonFilePose):
    """Poses from NTU RGB+D ``.skeleton`` files.

    Bodies are tracked across frames by their Kinect ``bodyID``: every ID is
    one person (ordered by first appearance), valid in the frames where it
    appears. ``max_people`` keeps the IDs seen in the most frames (NTU's
    Kinect sometimes reports short-lived spurious bodies). Confidence is
    the joint tracking state (tracked 1, inferred 0.5, not tracked 0).

    Camera: ``joints2d`` are the file's colour-image coordinates (colorX,
    colorY; 1920x1080). ``joints3d`` are the Kinect camera-space joints moved
    into the colour camera's OpenCV frame; with ``camera='fit'`` that camera
    (intrinsics and the sensors' offset) is fitted to the file's own
    (3D, colour) pairs and the axis signs are read from the data, falling
    back to nominal Kinect v2 colour intrinsics and NTU's observed signs
    when the fit is not determined. NTU's colour video is mirrored, so the
    map is a reflection and left/right joint labels are swapped to keep a
    proper body (see :mod:`._kinect`). Invalid frames are interpolated.

    Args:
        root (str, optional): Folder of ``.skeleton`` files (for video ids).
        suffix (str): Defaults to ``'.skeleton'``.
        max_people (int, optional): Keep at most this many body IDs.
        camera (str): ``'fit'`` (default) or ``'nominal'``.
        frame_mismatch (str): See :class:`SkeletonFilePose`.
        smoothing (dict | None): Temporal smoother config.
    """

    def __init__(self,
                 root: Optional[str] = None,
                 suffix: str = '.skeleton',
                 max_people: Optional[int] = None,
                 camera: str = 'fit',
                 frame_mismatch: str = 'pad',
                 smoothing: Any = None) -> None:
        super().__init__(root, suffix, frame_mismatch, smoothing)
        if max_people is not None and int(max_people) < 1:
            raise ValueError(f'max_people must be >= 1 or None; got '
                             f'{max_people!r}.')
        if camera not in ('fit', 'nominal'):
            raise ValueError("camera must be 'fit' or 'nominal'; got "
                             f'{camera!r}.')
        self.max_people = max_people
        self.camera = camera

    def read(self, source: str) -> PoseSequence:
        """Read one ``.skeleton`` file (see the class docstring).

        Args:
            source (str): File path or video id.

        Returns:
            PoseSequence: Layout ``'ntu25'``, image size 1080x1920.
        """
        path = self.resolve_path(source)
        with open(path, 'r') as f:
            frames = parse_ntu_skeleton(f.read())
        return self.from_frames(frames)

    def from_frames(
            self, frames: List[List[Tuple[str, np.ndarray]]]) -> PoseSequence:
        """Assemble parsed frames (:func:`parse_ntu_skeleton`) into poses.

        Args:
            frames (list): Output of :func:`parse_ntu_skeleton`.

        Returns:
            PoseSequence: The tracked poses.
        """
        T, J = len(frames), len(NTU25)
        if T == 0:
            raise ValueError('The NTU skeleton file has 0 frames.')
        seen: Dict[str, int] = {}
        for bodies in frames:
            for body_id, _ in bodies:
                seen[body_id] = seen.get(body_id, 0) + 1
        order = list(seen)  # First appearance.
        if self.max_people is not None and len(order) > self.max_people:
            ranked = sorted(order, key=lambda b: (-seen[b], order.index(b)))
            kept = set(ranked[:int(self.max_people)])
            order = [b for b in order if b in kept]
        P = max(len(order), 1)
        raw = np.full((P, T, J, _JOINT_VALUES), np.nan)
        valid = np.zeros((P, T), bool)
        for t, bodies in enumerate(frames):
            for body_id, joints in bodies:
                if body_id in order:
                    raw[order.index(body_id), t] = joints
                    valid[order.index(body_id), t] = True
        state = np.nan_to_num(raw[..., 11]).astype(int).clip(0, 2)
        conf = np.where(valid[..., None], _STATE_CONFIDENCE[state], 0.0)
        xyz, uv = raw[..., :3], raw[..., 5:7]
        K, offset, signs = self._camera(xyz[valid], uv[valid])
        j3d = kinect_to_opencv(xyz, offset, signs)
        j2d = uv
        if signs[0] * signs[1] < 0:  # Mirror map: relabel left <-> right.
            perm = left_right_permutation('ntu25')
            j3d, j2d, conf = j3d[:, :, perm], j2d[:, :, perm], conf[:, :, perm]
        return PoseSequence(joints3d=interpolate_invalid(j3d, valid),
                            joints2d=interpolate_invalid(j2d, valid),
                            confidence=conf,
                            valid=valid,
                            layout='ntu25',
                            K=K,
                            image_size=KINECT_V2_COLOR_SIZE)

    def _camera(self, xyz: np.ndarray, uv: np.ndarray) -> Tuple[Any, ...]:
        xyz, uv = xyz.reshape(-1, 3), uv.reshape(-1, 2)
        if self.camera == 'fit':
            fitted = fit_color_camera(xyz, uv)
            if fitted is not None:
                return fitted
            logger.warning('Could not fit the colour camera to the skeleton '
                           'file; using nominal Kinect v2 intrinsics.')
        return KINECT_V2_COLOR_K.copy(), np.zeros(3), NTU_AXIS_SIGNS
