"""Named 3D joint layouts and how they map onto SMPL-H keypoints.

Each source joint maps to one of the 73 SMPL-H keypoints
(:data:`~.smplh_topology.KEYPOINT_NAMES`: 52 joints, then smplx's vertex
landmarks such as the nose and heels) or to nothing (``None``), with a
weight. Weights below 1 mark imprecise matches: e.g. MediaPipe's and
Kinect's hips sit lower and wider than SMPL's hip joints, and surface
landmarks (shoulders seen from outside) are not the skeleton's rotation
centres. "left" is always the person's left.
"""
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .smplh_topology import KEYPOINT_NAMES

_K = {name: i for i, name in enumerate(KEYPOINT_NAMES)}


@dataclass(frozen=True)
class JointLayout:
    """One source skeleton's joints, matched to SMPL-H keypoints.

    Args:
        name (str): Layout name, e.g. ``'mediapipe33'``.
        joint_names (tuple[str, ...]): Source joint names, in source order.
        targets (tuple[Optional[str], ...]): Per source joint, the SMPL-H
            keypoint name it corresponds to, or ``None``.
        weights (tuple[float, ...]): Per source joint fitting weight
            (0 for unmapped joints).
    """

    name: str
    joint_names: Tuple[str, ...]
    targets: Tuple[Optional[str], ...]
    weights: Tuple[float, ...]

    @property
    def num_joints(self) -> int:
        """int: Number of source joints J."""
        return len(self.joint_names)

    @property
    def smplh_indices(self) -> np.ndarray:
        """np.ndarray: (J,) keypoint index per source joint, -1 = none."""
        return np.array([-1 if t is None else _K[t] for t in self.targets])

    @property
    def weight_array(self) -> np.ndarray:
        """np.ndarray: (J,) float weights, 0 where unmapped."""
        w = np.asarray(self.weights, dtype=np.float64)
        return np.where(self.smplh_indices < 0, 0.0, w)


def _layout(name: str, rows: Sequence[tuple]) -> JointLayout:
    names = tuple(r[0] for r in rows)
    targets = tuple(r[1] for r in rows)
    weights = tuple(
        float(r[2]) if len(r) > 2 else (0.0 if r[1] is None else 1.0)
        for r in rows)
    for t in targets:
        if t is not None and t not in _K:
            raise KeyError(f'{name}: unknown SMPL-H keypoint {t!r}')
    return JointLayout(name, names, targets, weights)


def _sides(rows):
    """Expand ``'{s}_x'`` rows into left and right rows."""
    out = []
    for row in rows:
        for s in ('left', 'right'):
            out.append(
                tuple(v.format(s=s) if isinstance(v, str) else v for v in row))
    return out


_SYNTHETIC16 = [('pelvis', 'pelvis', 0.7), ('spine', 'spine2', 0.5),
                ('neck', 'neck', 0.7), ('head', 'head', 0.5)]
for _s in ('left', 'right'):
    _SYNTHETIC16 += [(f'{_s}_shoulder', f'{_s}_shoulder'),
                     (f'{_s}_elbow', f'{_s}_elbow'),
                     (f'{_s}_wrist', f'{_s}_wrist')]
for _s in ('left', 'right'):
    _SYNTHETIC16 += [(f'{_s}_hip', f'{_s}_hip', 0.7),
                     (f'{_s}_knee', f'{_s}_knee'),
                     (f'{_s}_ankle', f'{_s}_ankle')]

_MEDIAPIPE33 = [('nose', 'nose', 0.5)]
for _s in ('left', 'right'):
    _MEDIAPIPE33 += [(f'{_s}_eye_inner', None),
                     (f'{_s}_eye', f'{_s}_eye', 0.3),
                     (f'{_s}_eye_outer', None)]
_MEDIAPIPE33 += [('left_ear', 'left_ear', 0.3),
                 ('right_ear', 'right_ear', 0.3), ('mouth_left', None),
                 ('mouth_right', None)]
_MEDIAPIPE33 += _sides([('{s}_shoulder', '{s}_shoulder', 0.8)])
_MEDIAPIPE33 += _sides([('{s}_elbow', '{s}_elbow')])
_MEDIAPIPE33 += _sides([('{s}_wrist', '{s}_wrist')])
_MEDIAPIPE33 += _sides([('{s}_pinky', '{s}_pinky1', 0.3)])
_MEDIAPIPE33 += _sides([('{s}_index', '{s}_index1', 0.3)])
_MEDIAPIPE33 += _sides([('{s}_thumb', '{s}_thumb2', 0.2)])
_MEDIAPIPE33 += _sides([('{s}_hip', '{s}_hip', 0.4)])
_MEDIAPIPE33 += _sides([('{s}_knee', '{s}_knee')])
_MEDIAPIPE33 += _sides([('{s}_ankle', '{s}_ankle')])
_MEDIAPIPE33 += _sides([('{s}_heel', '{s}_heel', 0.5)])
_MEDIAPIPE33 += _sides([('{s}_foot_index', '{s}_big_toe', 0.5)])

_NTU25 = [('spine_base', 'pelvis', 0.6), ('spine_mid', 'spine2', 0.4),
          ('neck', 'neck', 0.4), ('head', 'head', 0.5)]
for _s in ('left', 'right'):
    _NTU25 += [(f'{_s}_shoulder', f'{_s}_shoulder', 0.8),
               (f'{_s}_elbow', f'{_s}_elbow'), (f'{_s}_wrist', f'{_s}_wrist'),
               (f'{_s}_hand', f'{_s}_middle1', 0.3)]
for _s in ('left', 'right'):
    _NTU25 += [(f'{_s}_hip', f'{_s}_hip', 0.5), (f'{_s}_knee', f'{_s}_knee'),
               (f'{_s}_ankle', f'{_s}_ankle'),
               (f'{_s}_foot', f'{_s}_foot', 0.4)]
_NTU25 += [('spine_shoulder', 'spine3', 0.4),
           ('left_hand_tip', 'left_middle_tip', 0.2),
           ('left_thumb', 'left_thumb_tip', 0.2),
           ('right_hand_tip', 'right_middle_tip', 0.2),
           ('right_thumb', 'right_thumb_tip', 0.2)]

_COCO17 = [('nose', 'nose', 0.5), ('left_eye', 'left_eye', 0.3),
           ('right_eye', 'right_eye', 0.3), ('left_ear', 'left_ear', 0.3),
           ('right_ear', 'right_ear', 0.3)]
_COCO17 += _sides([('{s}_shoulder', '{s}_shoulder', 0.8)])
_COCO17 += _sides([('{s}_elbow', '{s}_elbow')])
_COCO17 += _sides([('{s}_wrist', '{s}_wrist')])
_COCO17 += _sides([('{s}_hip', '{s}_hip', 0.5)])
_COCO17 += _sides([('{s}_knee', '{s}_knee')])
_COCO17 += _sides([('{s}_ankle', '{s}_ankle')])

#: The built-in layouts by name. ``smplh73`` is the identity on SMPL-H's
#: own keypoints (for data already in SMPL-H form, and for tests).
JOINT_LAYOUTS: Dict[str, JointLayout] = {
    'smplh73': _layout('smplh73', [(n, n) for n in KEYPOINT_NAMES]),
    'synthetic16': _layout('synthetic16', _SYNTHETIC16),
    'mediapipe33': _layout('mediapipe33', _MEDIAPIPE33),
    'ntu25': _layout('ntu25', _NTU25),
    'coco17': _layout('coco17', _COCO17),
}


def get_joint_layout(layout) -> JointLayout:
    """Look up a layout by name (or pass a :class:`JointLayout` through).

    Args:
        layout (str | JointLayout): Name in :data:`JOINT_LAYOUTS` or a
            custom layout.

    Returns:
        JointLayout: The layout.
    """
    if isinstance(layout, JointLayout):
        return layout
    if not isinstance(layout, str) or layout not in JOINT_LAYOUTS:
        raise ValueError(
            f'Unknown joint layout {layout!r}; expected one of '
            f'{sorted(JOINT_LAYOUTS)} or a JointLayout instance (build one '
            f'with JointLayout(name, joint_names, targets, weights)).')
    return JOINT_LAYOUTS[layout]
