"""The pose stage's output: tracked 2D/3D skeletons of a clip."""
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from ..camera import check_intrinsics
from .joint_layouts import JOINT_LAYOUTS, joint_names


@dataclass
class PoseSequence:
    """Skeletons of ``P`` tracked people over ``T`` frames.

    Person ``p`` is the same individual in every frame. Frames where a person
    was not found have ``valid[p, t] == False``; their joints are filled by
    :func:`interpolate_invalid` (linear between the nearest valid frames,
    held constant before the first / after the last one) with confidence 0,
    so array consumers never meet holes, but they must check ``valid`` to
    know what was observed. Joints that are unavailable altogether (no
    valid frame for a person, or a 2D-only source's 3D) are NaN.

    Attributes:
        joints3d (np.ndarray): float32 (P, T, J, 3), OpenCV camera
            coordinates (x right, y down, z forward), metres.
        joints2d (np.ndarray): float32 (P, T, J, 2), pixels ``(x, y)`` =
            (column, row), pixel centres at integers.
        confidence (np.ndarray): float32 (P, T, J) in [0, 1].
        valid (np.ndarray): bool (P, T), person ``p`` found in frame ``t``.
        layout (str): Joint order, one of ``'synthetic16'``,
            ``'mediapipe33'``, ``'ntu25'``, ``'coco17'``
            (:mod:`.joint_layouts`).
        K (np.ndarray): (3, 3) intrinsics relating ``joints3d`` to pixels.
        image_size (tuple[int, int]): ``(H, W)`` of the frames.
        segmentation (np.ndarray, optional): float32 (T, H, W) person
            probability in [0, 1] when the backend produces one (MediaPipe
            pose), else None.
    """

    joints3d: np.ndarray
    joints2d: np.ndarray
    confidence: np.ndarray
    valid: np.ndarray
    layout: str
    K: np.ndarray
    image_size: Tuple[int, int]
    segmentation: Optional[np.ndarray] = None

    def __post_init__(self) -> None:
        if self.layout not in JOINT_LAYOUTS:
            raise ValueError(f'layout must be one of {sorted(JOINT_LAYOUTS)};'
                             f' got {self.layout!r}.')
        num_joints = len(joint_names(self.layout))
        self.joints3d = np.asarray(self.joints3d, dtype=np.float32)
        if self.joints3d.ndim != 4 or self.joints3d.shape[2:] != (num_joints,
                                                                  3):
            raise ValueError(
                f'joints3d must have shape (P, T, {num_joints}, 3) for layout '
                f'{self.layout!r}; got {self.joints3d.shape}. Add a person '
                'axis with joints[None] for a single person.')
        P, T = self.joints3d.shape[:2]
        self.joints2d = np.asarray(self.joints2d, dtype=np.float32)
        if self.joints2d.shape != (P, T, num_joints, 2):
            raise ValueError(
                f'joints2d must have shape {(P, T, num_joints, 2)}'
                f' to match joints3d; got {self.joints2d.shape}.')
        self.confidence = np.asarray(self.confidence, dtype=np.float32)
        if self.confidence.shape != (P, T, num_joints):
            raise ValueError(
                f'confidence must have shape {(P, T, num_joints)};'
                f' got {self.confidence.shape}.')
        if np.any(self.confidence < 0) or np.any(self.confidence > 1):
            raise ValueError('confidence values must lie in [0, 1]; got range '
                             f'[{np.nanmin(self.confidence)}, '
                             f'{np.nanmax(self.confidence)}].')
        valid = np.asarray(self.valid)
        if valid.dtype != np.bool_ or valid.shape != (P, T):
            raise ValueError(f'valid must be a bool array of shape {(P, T)}; '
                             f'got {valid.dtype} {valid.shape}.')
        self.valid = valid
        self.K = check_intrinsics(self.K)
        try:
            height, width = (int(s) for s in self.image_size)
        except (TypeError, ValueError):
            height = width = 0
        if height <= 0 or width <= 0:
            raise ValueError('image_size must be (height, width) with '
                             f'positive integers; got {self.image_size!r}.')
        self.image_size = (height, width)
        if self.segmentation is not None:
            seg = np.asarray(self.segmentation, dtype=np.float32)
            if seg.shape != (T, height, width):
                raise ValueError('segmentation must have shape (T, H, W) = '
                                 f'{(T, height, width)}; got {seg.shape}.')
            self.segmentation = seg

    @property
    def num_people(self) -> int:
        """int: ``P``."""
        return self.joints3d.shape[0]

    @property
    def num_frames(self) -> int:
        """int: ``T``."""
        return self.joints3d.shape[1]

    @property
    def joint_names(self) -> Tuple[str, ...]:
        """tuple[str, ...]: Names of the ``J`` joints in order."""
        return joint_names(self.layout)

    def joint_index(self, name: str) -> int:
        """Index of joint ``name`` in this layout.

        Args:
            name (str): e.g. ``'left_shoulder'``.

        Returns:
            int: Its position on the joint axis.
        """
        names = self.joint_names
        if name not in names:
            raise KeyError(f'Joint {name!r} is not in layout {self.layout!r};'
                           f' its joints are {list(names)}.')
        return names.index(name)


def interpolate_invalid(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Fill invalid frames of per-frame values from the valid ones.

    Linear interpolation between the nearest valid frames before and
    after; frames before the first (after the last) valid one take its
    value. A person with no valid frame gets NaN.

    Args:
        values (np.ndarray): (P, T, ...) array.
        valid (np.ndarray): bool (P, T).

    Returns:
        np.ndarray: float32 copy of ``values`` with invalid frames filled.
    """
    out = np.array(values, dtype=np.float32, copy=True)
    frames = np.arange(out.shape[1])
    for p in range(out.shape[0]):
        ok = np.asarray(valid[p], bool)
        if ok.all():
            continue
        if not ok.any():
            out[p] = np.nan
            continue
        flat = out[p].reshape(out.shape[1], -1)
        for c in range(flat.shape[1]):
            flat[~ok, c] = np.interp(frames[~ok], frames[ok], flat[ok, c])
        out[p] = flat.reshape(out[p].shape)
    return out
