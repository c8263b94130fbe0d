"""Joint orders of the skeleton layouts a :class:`PoseSequence` may carry.

* ``synthetic16``: the embedded synthetic data set's skeleton.
* ``mediapipe33``: BlazePose / MediaPipe Pose landmarks.
* ``ntu25``: Kinect v2 ``JointType`` order used by NTU RGB+D.
* ``coco17``: COCO keypoints (MMAction2's 2D pose annotations).

``left`` / ``right`` are the person's own sides.
"""
from typing import Dict, List, Tuple

SYNTHETIC16: Tuple[str, ...] = ('pelvis', 'spine', 'neck', 'head',
                                'left_shoulder', 'left_elbow', 'left_wrist',
                                'right_shoulder', 'right_elbow', 'right_wrist',
                                'left_hip', 'left_knee', 'left_ankle',
                                'right_hip', 'right_knee', 'right_ankle')

MEDIAPIPE33: Tuple[str,
                   ...] = ('nose', 'left_eye_inner', 'left_eye',
                           'left_eye_outer', 'right_eye_inner', 'right_eye',
                           'right_eye_outer', 'left_ear', 'right_ear',
                           'mouth_left', 'mouth_right', 'left_shoulder',
                           'right_shoulder', 'left_elbow', 'right_elbow',
                           'left_wrist', 'right_wrist', 'left_pinky',
                           'right_pinky', 'left_index', 'right_index',
                           'left_thumb', 'right_thumb', 'left_hip',
                           'right_hip', 'left_knee', 'right_knee',
                           'left_ankle', 'right_ankle', 'left_heel',
                           'right_heel', 'left_foot_index', 'right_foot_index')

NTU25: Tuple[str,
             ...] = ('spine_base', 'spine_mid', 'neck', 'head',
                     'left_shoulder', 'left_elbow', 'left_wrist', 'left_hand',
                     'right_shoulder', 'right_elbow', 'right_wrist',
                     'right_hand', 'left_hip', 'left_knee', 'left_ankle',
                     'left_foot', 'right_hip', 'right_knee', 'right_ankle',
                     'right_foot', 'spine_shoulder', 'left_hand_tip',
                     'left_thumb', 'right_hand_tip', 'right_thumb')

COCO17: Tuple[str, ...] = ('nose', 'left_eye', 'right_eye', 'left_ear',
                           'right_ear', 'left_shoulder', 'right_shoulder',
                           'left_elbow', 'right_elbow', 'left_wrist',
                           'right_wrist', 'left_hip', 'right_hip', 'left_knee',
                           'right_knee', 'left_ankle', 'right_ankle')

JOINT_LAYOUTS: Dict[str, Tuple[str, ...]] = {
    'synthetic16': SYNTHETIC16,
    'mediapipe33': MEDIAPIPE33,
    'ntu25': NTU25,
    'coco17': COCO17,
}


def joint_names(layout: str) -> Tuple[str, ...]:
    """Joint names of ``layout`` in order.

    Args:
        layout (str): One of :data:`JOINT_LAYOUTS`.

    Returns:
        tuple[str, ...]: The names.
    """
    if layout not in JOINT_LAYOUTS:
        raise ValueError(f'Unknown joint layout {layout!r}; choose one of '
                         f'{sorted(JOINT_LAYOUTS)}.')
    return JOINT_LAYOUTS[layout]


def left_right_permutation(layout: str) -> List[int]:
    """Index permutation that swaps every left joint with its right twin.

    ``joints[..., perm, :]`` relabels a skeleton as its mirror image's
    (used when the source video is horizontally mirrored).

    Args:
        layout (str): One of :data:`JOINT_LAYOUTS`.

    Returns:
        list[int]: ``perm[i]`` is the index of joint ``i``'s twin (``i``
        for centre joints).
    """
    names = joint_names(layout)
    index = {n: i for i, n in enumerate(names)}
    perm = []
    for name in names:
        twin = name.replace('left',
                            '\0').replace('right',
                                          'left').replace('\0', 'right')
        perm.append(index.get(twin, index[name]))
    return perm
