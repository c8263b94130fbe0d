"""Ground-truth joints of the embedded synthetic data set."""
import json
import os.path as osp
from typing import Any, Optional, Tuple

import numpy as np

from .joint_layouts import SYNTHETIC16
from .pose_sequence import PoseSequence, interpolate_invalid
from .registry import POSE_ESTIMATORS
from .skeleton_file_pose import SkeletonFilePose


@POSE_ESTIMATORS.register()
class SyntheticJointsPose(SkeletonFilePose):
    """Poses from the synthetic set's ``joints/<video>.npz`` files.

    Each file holds ``joints3d`` (T, 16, 3) in OpenCV camera coordinates,
    ``joints2d`` (T, 16, 2) pixels and ``intrinsics`` (3, 3); one person,
    layout ``'synthetic16'``. Frames with non-finite joints are invalid.

    The native image size is, in order: the frames' size when given to
    :meth:`__call__`, ``image_size``, or ``size`` in the data set's
    ``generation.json`` (next to the ``joints`` folder).

    Args:
        root (str, optional): The ``joints`` folder (for video ids).
        image_size (tuple[int, int], optional): Native ``(H, W)``.
        suffix (str): Defaults to ``'.npz'``.
        frame_mismatch (str): See :class:`SkeletonFilePose`.
        smoothing (dict | None): Temporal smoother config.
    """

    def __init__(self,
                 root: Optional[str] = None,
                 image_size: Optional[Tuple[int, int]] = None,
                 suffix: str = '.npz',
                 frame_mismatch: str = 'pad',
                 smoothing: Any = None) -> None:
        super().__init__(root, suffix, frame_mismatch, smoothing)
        self.image_size = None if image_size is None else tuple(
            int(s) for s in image_size)
        self._frames_size: Optional[Tuple[int, int]] = None

    def estimate(self, frames: Optional[np.ndarray],
                 source: Optional[str]) -> PoseSequence:
        # The frames' size is the native one unless told otherwise.
        self._frames_size = None if frames is None else frames.shape[1:3]
        return super().estimate(frames, source)

    def read(self, source: str) -> PoseSequence:
        """Read one ``.npz`` file (see the class docstring).

        Args:
            source (str): File path or video id.

        Returns:
            PoseSequence: One person, layout ``'synthetic16'``.
        """
        path = self.resolve_path(source)
        with np.load(path) as data:
            missing = {'joints3d', 'joints2d', 'intrinsics'} - set(data.files)
            if missing:
                raise KeyError(
                    f'{path!r} lacks {sorted(missing)}; a synthetic '
                    'joints file has joints3d, joints2d and '
                    'intrinsics.')
            j3d = np.asarray(data['joints3d'], np.float64)
            j2d = np.asarray(data['joints2d'], np.float64)
            K = np.asarray(data['intrinsics'], np.float64)
            names = tuple(str(n) for n in data['joint_names']) \
                if 'joint_names' in data.files else SYNTHETIC16
        if names != SYNTHETIC16:
            raise ValueError(
                f'{path!r} has joints {list(names)}; expected the '
                f'synthetic16 order {list(SYNTHETIC16)}.')
        if j3d.ndim != 3 or j3d.shape[1:] != (16, 3) or \
                j2d.shape != j3d.shape[:2] + (2, ):
            raise ValueError(f'{path!r}: joints3d {j3d.shape} / joints2d '
                             f'{j2d.shape}; expected (T, 16, 3) / (T, 16, 2).')
        valid = (np.isfinite(j3d).all((1, 2)) & np.isfinite(j2d).all(
            (1, 2)))[None]
        conf = np.where(valid[..., None], 1.0, 0.0) * np.ones(
            (1, len(j3d), 16))
        return PoseSequence(joints3d=interpolate_invalid(j3d[None], valid),
                            joints2d=interpolate_invalid(j2d[None], valid),
                            confidence=conf,
                            valid=valid,
                            layout='synthetic16',
                            K=K,
                            image_size=self._native_size(path))

    def _native_size(self, path: str) -> Tuple[int, int]:
        if self.image_size is not None:
            return self.image_size
        if self._frames_size is not None:
            return tuple(int(s) for s in self._frames_size)
        meta = osp.join(osp.dirname(osp.dirname(osp.abspath(path))),
                        'generation.json')
        if osp.isfile(meta):
            with open(meta) as f:
                size = json.load(f).get('size')
            if size is not None:
                return (int(size), int(size))
        raise ValueError(f'Unknown image size for {path!r}: pass the frames, '
                         'image_size=(H, W), or keep generation.json next to '
                         'the joints folder.')
