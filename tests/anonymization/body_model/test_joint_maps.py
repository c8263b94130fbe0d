import numpy as np
import pytest

from mmprivact.anonymization.body_model import (JOINT_LAYOUTS, KEYPOINT_NAMES,
                                                get_joint_layout)


@pytest.mark.parametrize('name,size', [('synthetic16', 16),
                                       ('mediapipe33', 33), ('ntu25', 25),
                                       ('coco17', 17), ('smplh73', 73)])
def test_layout_sizes_and_indices(name, size):
    layout = get_joint_layout(name)
    assert layout.num_joints == size == len(layout.targets)
    idx = layout.smplh_indices
    assert idx.min() >= -1 and idx.max() < len(KEYPOINT_NAMES)
    w = layout.weight_array
    assert ((w > 0) == (idx >= 0)).all() and w.max() <= 1.0
    # Sides agree: a source "left_*" joint maps to a left SMPL-H keypoint.
    for src, dst in zip(layout.joint_names, layout.targets):
        if dst is not None and src.startswith(('left', 'right')):
            assert dst.split('_')[0] == src.split('_')[0], (src, dst)


def test_known_correspondences_and_weights():
    syn = get_joint_layout('synthetic16')
    assert syn.joint_names[:4] == ('pelvis', 'spine', 'neck', 'head')
    assert KEYPOINT_NAMES[syn.smplh_indices[5]] == 'left_elbow'
    mp = get_joint_layout('mediapipe33')
    assert mp.joint_names[23] == 'left_hip' and mp.joint_names[32] == \
        'right_foot_index'
    w = dict(zip(mp.joint_names, mp.weight_array))
    # MediaPipe hips are lower/wider than SMPL's: trusted less.
    assert w['left_hip'] < w['left_knee'] and w['mouth_left'] == 0
    ntu = get_joint_layout('ntu25')
    assert ntu.joint_names[20] == 'spine_shoulder'
    assert ntu.joint_names[24] == 'right_thumb'
    coco = get_joint_layout('coco17')
    assert KEYPOINT_NAMES[coco.smplh_indices[0]] == 'nose'
    assert np.array_equal(
        get_joint_layout('smplh73').smplh_indices, np.arange(73))


def test_unknown_layout_is_a_clear_error():
    with pytest.raises(ValueError,
                       match=r"Unknown joint layout 'openpose'.*"
                       r'coco17'):
        get_joint_layout('openpose')
    assert get_joint_layout(JOINT_LAYOUTS['coco17']) is JOINT_LAYOUTS['coco17']
