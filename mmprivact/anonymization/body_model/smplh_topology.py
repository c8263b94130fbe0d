"""SMPL-H's kinematic tree and smplx's vertex landmarks (constants only).

SMPL-H has 52 joints: SMPL's 22 body joints (pelvis ... right_wrist) and 15
joints per hand (index, middle, pinky, ring, thumb; three each), left hand
first. ``smplx`` appends 21 *landmarks* read from fixed vertex ids (nose,
eyes, ears, toes, heels, finger tips), giving 73 "joints" in total; joint
layouts (:mod:`.joint_maps`) index into those 73 keypoints.
"""
from typing import Tuple

_FINGERS = ('index', 'middle', 'pinky', 'ring', 'thumb')

#: The 22 body joints (SMPL's first 22, same order).
BODY_JOINT_NAMES: Tuple[str, ...] = ('pelvis', 'left_hip', 'right_hip',
                                     'spine1', 'left_knee', 'right_knee',
                                     'spine2', 'left_ankle', 'right_ankle',
                                     'spine3', 'left_foot', 'right_foot',
                                     'neck', 'left_collar', 'right_collar',
                                     'head', 'left_shoulder', 'right_shoulder',
                                     'left_elbow', 'right_elbow', 'left_wrist',
                                     'right_wrist')

#: All 52 SMPL-H joints.
SMPLH_JOINT_NAMES: Tuple[str, ...] = BODY_JOINT_NAMES + tuple(
    f'{side}_{finger}{k}' for side in ('left', 'right') for finger in _FINGERS
    for k in (1, 2, 3))

#: Parent of each SMPL-H joint (-1 for the root), as in SMPL-H's kintree.
SMPLH_PARENTS: Tuple[int, ...] = (
    (-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19)
    + tuple((wrist if k == 0 else 22 + 15 * side + 3 * f + k - 1)
            for side, wrist in ((0, 20), (1, 21)) for f in range(5)
            for k in range(3)))

#: smplx's extra keypoints, in the order ``smplx.SMPLH`` appends them.
LANDMARK_NAMES: Tuple[str,
                      ...] = ('nose', 'right_eye', 'left_eye', 'right_ear',
                              'left_ear', 'left_big_toe', 'left_small_toe',
                              'left_heel', 'right_big_toe', 'right_small_toe',
                              'right_heel', 'left_thumb_tip', 'left_index_tip',
                              'left_middle_tip', 'left_ring_tip',
                              'left_pinky_tip', 'right_thumb_tip',
                              'right_index_tip', 'right_middle_tip',
                              'right_ring_tip', 'right_pinky_tip')

#: Vertex ids smplx reads the landmarks from (``smplx.vertex_ids['smplh']``).
LANDMARK_VERTEX_IDS: Tuple[int,
                           ...] = (332, 6260, 2800, 4071, 583, 3216, 3226,
                                   3387, 6617, 6624, 6787, 2746, 2319, 2445,
                                   2556, 2673, 6191, 5782, 5905, 6016, 6133)

#: Names of the 73 keypoints a joint layout may refer to.
KEYPOINT_NAMES: Tuple[str, ...] = SMPLH_JOINT_NAMES + LANDMARK_NAMES

NUM_JOINTS = 52
NUM_BODY_JOINTS = 22
NUM_KEYPOINTS = NUM_JOINTS + len(LANDMARK_NAMES)
