import os.path as osp
import pickle

import numpy as np
import pytest

from mmprivact.anonymization.camera import project
from mmprivact.anonymization.pose import (NTUSkeletonPose, PoseSequence,
                                          build_pose_estimator, joint_names,
                                          left_right_permutation,
                                          parse_ntu_skeleton)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
SYNTHETIC = osp.join(ROOT, 'data', 'synthetic', 'joints', 'v00000.npz')

# A colour camera the fixture is generated with: mirrored x (as NTU's video).
FX, CX, CY, OX, OY = 1050.0, 955.0, 545.0, 0.05, 0.01


def _kinect_body(seed):
    rng = np.random.default_rng(seed)
    xyz = rng.uniform(-0.4, 0.4, (25, 3)) * [1.0, 2.0, 0.5]
    return xyz + [0.3 * seed - 0.3, 0.0, 3.0 + seed]


def _color(xyz):
    u = FX * (xyz[:, 0] + OX) / xyz[:, 2] + CX
    v = -FX * (xyz[:, 1] + OY) / xyz[:, 2] + CY
    return np.stack([u, v], 1)


def _body_text(body_id, xyz, state=2):
    lines = [f'{body_id} 0 1 1 1 1 0 0.01 0.02 2', '25']
    uv = _color(xyz)
    for j in range(25):
        s = 1 if j == 3 else state  # Head "inferred".
        lines.append(' '.join(f'{v:.9f}'
                              for v in (*xyz[j], 100.0, 100.0, *uv[j], 1.0,
                                        0.0, 0.0, 0.0)) + f' {s}')
    return lines


def _ntu_text():
    """5 frames: body A in frames 0-3, body B in 1-2, nobody in frame 4."""
    a, b = _kinect_body(0), _kinect_body(1)
    lines = ['5']
    for t in range(5):
        bodies = ([('72057594037931101', a + 0.01 * t)] if t < 4 else []) + \
            ([('72057594037931102', b)] if t in (1, 2) else [])
        lines.append(str(len(bodies)))
        for body_id, xyz in bodies:
            lines += _body_text(body_id, xyz)
    return '\n'.join(lines) + '\n', a, b


def test_parse_ntu_skeleton_structure():
    text, a, _ = _ntu_text()
    frames = parse_ntu_skeleton(text)
    assert [len(f) for f in frames] == [1, 2, 2, 1, 0]
    body_id, joints = frames[0][0]
    assert body_id == '72057594037931101' and joints.shape == (25, 12)
    np.testing.assert_allclose(joints[:, :3], a, atol=1e-8)
    with pytest.raises(ValueError, match='ends early'):
        parse_ntu_skeleton(text[:len(text) // 2])


def test_ntu_reader_tracks_bodies_and_recovers_the_colour_camera(tmp_path):
    text, a, b = _ntu_text()
    path = tmp_path / 'S001C001P001R001A050.skeleton'
    path.write_text(text)
    seq = build_pose_estimator(dict(type='NTUSkeletonPose'))(None, str(path))
    assert seq.layout == 'ntu25' and seq.image_size == (1080, 1920)
    assert seq.valid.tolist() == [[True, True, True, True, False],
                                  [False, True, True, False, False]]
    np.testing.assert_allclose(seq.K, [[FX, 0, CX], [0, FX, CY], [0, 0, 1]],
                               atol=1e-3)
    # Mirrored video: (x, y, z) -> (x + ox, -(y + oy), z), left/right swapped.
    perm = left_right_permutation('ntu25')
    expected = ((a + [OX, OY, 0.0]) * [1, -1, 1])[perm]
    np.testing.assert_allclose(seq.joints3d[0, 0], expected, atol=1e-4)
    np.testing.assert_allclose(seq.joints2d[0, 0], _color(a)[perm], atol=1e-3)
    # The avatar lands on the person: 3D projects onto the file's 2D.
    ok = seq.valid
    np.testing.assert_allclose(project(seq.joints3d[ok], seq.K),
                               seq.joints2d[ok],
                               atol=0.05)
    # Tracking state -> confidence; the inferred head moved to its slot.
    head = joint_names('ntu25').index('head')
    assert seq.confidence[0, 0, head] == 0.5
    assert seq.confidence[0, 0, 0] == 1.0 and seq.confidence[1, 0].max() == 0
    # Invalid frames hold / interpolate.
    np.testing.assert_allclose(seq.joints3d[1, 0], seq.joints3d[1, 1])
    np.testing.assert_allclose(seq.joints3d[0, 4], seq.joints3d[0, 3])


def test_ntu_max_people_and_frame_matching(tmp_path):
    text, _, _ = _ntu_text()
    (tmp_path / 'clip.skeleton').write_text(text)
    reader = NTUSkeletonPose(root=str(tmp_path), max_people=1)
    frames = np.zeros((7, 54, 96, 3), np.uint8)  # 20x smaller, 2 more frames
    seq = reader(frames, '/videos/clip.avi')
    assert seq.num_people == 1 and seq.valid[0].tolist(
    ) == [True] * 4 + [False] * 3
    assert seq.image_size == (54, 96)
    np.testing.assert_allclose(seq.K[0, 0], FX / 20, rtol=1e-4)
    ok = seq.valid
    np.testing.assert_allclose(project(seq.joints3d[ok], seq.K),
                               seq.joints2d[ok],
                               atol=0.01)
    with pytest.raises(ValueError, match='frame_mismatch'):
        NTUSkeletonPose(root=str(tmp_path), frame_mismatch='raise')(frames,
                                                                    'clip')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        reader(None, 'missing_clip')


def test_mmaction_pkl_2d_and_3d(tmp_path):
    kp2d = np.random.default_rng(0).uniform(10, 300, (1, 3, 17, 2))
    score = np.full((1, 3, 17), 0.9)
    kp2d[0, 1] = 0.0
    score[0, 1] = 0.0  # Person absent in frame 1 (MMAction2 pads zeros).
    kp3d = np.stack([_kinect_body(0), _kinect_body(1)])[:, None].repeat(2, 1)
    kp3d[1, 0] = 0.0
    annos = [
        dict(frame_dir='clip2d',
             label=0,
             img_shape=(360, 480),
             total_frames=3,
             keypoint=kp2d,
             keypoint_score=score),
        dict(frame_dir='clip3d', label=1, total_frames=2, keypoint=kp3d),
    ]
    ann_file = tmp_path / 'ann.pkl'
    with open(ann_file, 'wb') as f:
        pickle.dump(dict(split=dict(train=['clip2d']), annotations=annos), f)
    reader = build_pose_estimator(
        dict(type='MMAction2PklPose', ann_file=str(ann_file)))
    seq = reader(None, 'clip2d')
    assert seq.layout == 'coco17' and seq.image_size == (360, 480)
    assert seq.valid.tolist() == [[True, False, True]]
    assert np.isnan(seq.joints3d).all()  # 2D-only: no 3D.
    np.testing.assert_allclose(seq.joints2d[0, 0], kp2d[0, 0], rtol=1e-6)
    np.testing.assert_allclose(seq.joints2d[0, 1],
                               (kp2d[0, 0] + kp2d[0, 2]) / 2,
                               rtol=1e-5)
    assert seq.confidence[0, 1].max() == 0.0
    seq3 = reader(None, '/some/videos/clip3d.mp4')
    assert seq3.layout == 'ntu25' and seq3.num_people == 2
    assert seq3.valid.tolist() == [[True, True], [False, True]]
    perm = left_right_permutation('ntu25')
    np.testing.assert_allclose(seq3.joints3d[0, 0],
                               (_kinect_body(0) * [1, -1, 1])[perm],
                               rtol=1e-6)
    np.testing.assert_allclose(project(seq3.joints3d, seq3.K),
                               seq3.joints2d,
                               atol=1e-3)
    with pytest.raises(KeyError, match='not a frame_dir'):
        reader(None, 'nope')


def _write_synthetic(path, T=4):
    rng = np.random.default_rng(2)
    j3d = rng.uniform(-0.5, 0.5, (T, 16, 3)) + [0, 0, 5]
    K = np.array([[120.0, 0, 47.5], [0, 120.0, 47.5], [0, 0, 1]])
    j3d[2] = np.nan  # One frame without a person.
    np.savez(path,
             joints3d=j3d.astype(np.float32),
             joints2d=project(j3d, K).astype(np.float32),
             intrinsics=K.astype(np.float32))
    return j3d, K


def test_synthetic_npz_fixture_and_rescaling(tmp_path):
    j3d, K = _write_synthetic(tmp_path / 'v00007.npz')
    reader = build_pose_estimator(
        dict(type='SyntheticJointsPose',
             root=str(tmp_path),
             image_size=(96, 96)))
    seq = reader(None, 'v00007')
    assert seq.layout == 'synthetic16' and seq.valid.tolist() == [[
        True, True, False, True
    ]]
    np.testing.assert_allclose(seq.joints3d[0, 0], j3d[0], rtol=1e-6)
    np.testing.assert_allclose(seq.joints3d[0, 2], (j3d[1] + j3d[3]) / 2,
                               rtol=1e-5)
    half = reader(np.zeros((4, 48, 48, 3), np.uint8), 'v00007')
    np.testing.assert_allclose(half.joints2d, (seq.joints2d + 0.5) * 0.5 - 0.5,
                               atol=1e-4)
    ok = half.valid  # Interpolated 3D need not project on interpolated 2D.
    np.testing.assert_allclose(project(half.joints3d[ok], half.K),
                               half.joints2d[ok],
                               atol=1e-3)


@pytest.mark.skipif(not osp.isfile(SYNTHETIC),
                    reason='data/synthetic/joints/v00000.npz not generated '
                    'in this checkout')
def test_synthetic_dataset_file():
    seq = build_pose_estimator(dict(type='SyntheticJointsPose'))(None,
                                                                 SYNTHETIC)
    assert isinstance(seq, PoseSequence) and seq.valid.all()
    assert seq.image_size == (96, 96) and seq.num_frames == 32
    np.testing.assert_allclose(project(seq.joints3d, seq.K),
                               seq.joints2d,
                               atol=1e-3)
    assert (seq.joints3d[..., 2] > 0).all()
    # The head is above the pelvis (y down).
    assert (seq.joints3d[0, :, 3, 1] < seq.joints3d[0, :, 0, 1]).all()
