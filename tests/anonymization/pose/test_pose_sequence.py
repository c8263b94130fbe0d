import numpy as np
import pytest

from mmprivact.anonymization.camera import intrinsics_from_fov
from mmprivact.anonymization.pose import (JOINT_LAYOUTS, PoseSequence,
                                          interpolate_invalid, joint_names,
                                          left_right_permutation)


def _seq(P=1, T=3, **over):
    layout = 'synthetic16'
    J = len(joint_names(layout))
    kw = dict(joints3d=np.zeros((P, T, J, 3)),
              joints2d=np.zeros((P, T, J, 2)),
              confidence=np.ones((P, T, J)),
              valid=np.ones((P, T), bool),
              layout=layout,
              K=intrinsics_from_fov(32, 48),
              image_size=(32, 48))
    kw.update(over)
    return PoseSequence(**kw)


def test_layout_sizes_and_names():
    assert {
        k: len(v)
        for k, v in JOINT_LAYOUTS.items()
    } == {
        'synthetic16': 16,
        'mediapipe33': 33,
        'ntu25': 25,
        'coco17': 17
    }
    names = joint_names('ntu25')
    assert names[0] == 'spine_base' and names[20] == 'spine_shoulder'
    assert joint_names('coco17')[5:7] == ('left_shoulder', 'right_shoulder')
    with pytest.raises(ValueError, match='Unknown joint layout'):
        joint_names('smpl24')


@pytest.mark.parametrize('layout', sorted(JOINT_LAYOUTS))
def test_left_right_permutation_is_an_involution(layout):
    names = joint_names(layout)
    perm = left_right_permutation(layout)
    assert sorted(perm) == list(range(len(names)))
    assert [perm[p] for p in perm] == list(range(len(names)))
    for i, p in enumerate(perm):
        if 'left' in names[i]:
            assert names[p] == names[i].replace('left', 'right')
        elif 'right' not in names[i]:
            assert p == i


def test_valid_sequence_casts_dtypes():
    seq = _seq(P=2, T=4)
    assert seq.joints3d.dtype == np.float32 and seq.num_people == 2
    assert seq.num_frames == 4 and seq.image_size == (32, 48)
    assert seq.joint_index('neck') == 2
    with pytest.raises(KeyError, match='not in layout'):
        seq.joint_index('nose')


@pytest.mark.parametrize('over,match', [
    (dict(layout='coco17'), r'joints3d must have shape \(P, T, 17, 3\)'),
    (dict(joints2d=np.zeros((1, 3, 16, 3))), 'joints2d must have shape'),
    (dict(confidence=np.full((1, 3, 16), 2.0)), r'\[0, 1\]'),
    (dict(valid=np.ones((1, 3))), 'valid must be a bool array'),
    (dict(K=np.eye(2)), r'K must be a finite \(3, 3\)'),
    (dict(image_size=(0, 4)), 'image_size'),
    (dict(layout='foo'), 'layout must be one of'),
    (dict(segmentation=np.zeros((3, 4, 4))), 'segmentation must have shape'),
])
def test_bad_fields_raise_clear_errors(over, match):
    with pytest.raises(ValueError, match=match):
        _seq(**over)


def test_interpolate_invalid_linear_and_held():
    values = np.arange(6, dtype=float).reshape(1, 6, 1) * 10
    valid = np.array([[False, True, False, False, True, False]])
    out = interpolate_invalid(values, valid)
    np.testing.assert_allclose(out[0, :, 0], [10, 10, 20, 30, 40, 40])
    nobody = interpolate_invalid(values, np.zeros((1, 6), bool))
    assert np.isnan(nobody).all()
