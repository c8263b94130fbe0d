import os.path as osp

import numpy as np
import pytest
import torch

from mmprivact.anonymization.body_model import (CAMERA_FROM_WORLD, JointFitter,
                                                build_body_fitter)

SYNTHETIC = osp.join(osp.dirname(__file__), '..', '..', '..', 'data',
                     'synthetic', 'joints', 'v00000.npz')


@pytest.fixture(scope='module')
def fitter(body_model):
    return JointFitter(body_model)


def _sequence(body_model, n, seed=0):
    """Ground truth: a moderate random pose drifting over ``n`` frames, the
    body 3 m in front of the camera; keypoints and mesh in camera coords."""
    g = torch.Generator().manual_seed(seed)
    betas = (torch.randn(1, 10, generator=g) * 0.5).expand(n, -1)
    orient = torch.tensor([[0.1, 0.5, 0.05]]).expand(n, -1)
    pose = torch.randn(1, 63, generator=g) * 0.25 + torch.cumsum(
        torch.randn(n, 63, generator=g) * 0.02, 0)
    # World z = -camera z: 3 m in front of the camera, facing it.
    transl = torch.tensor([[0.2, 0.1, -3.0]]) + torch.linspace(0, 0.1, n)[:,
                                                                          None]
    with torch.no_grad():
        kp = body_model.keypoints(betas, orient, pose, transl).numpy()
        verts, _ = body_model(betas, orient, pose, transl)
    return kp @ CAMERA_FROM_WORLD, verts.numpy() @ CAMERA_FROM_WORLD, pose


def _errors(result, kp_cam, verts_cam):
    joint = np.linalg.norm(result.joints - kp_cam[:, :52], axis=2).mean(1)
    vert = np.linalg.norm(result.vertices - verts_cam, axis=2).mean(1)
    return joint, vert


def test_recovers_a_known_pose(fitter, body_model):
    kp, verts, _ = _sequence(body_model, 1)
    res = fitter(kp.astype(np.float32), 'smplh73')
    joint, vert = _errors(res, kp, verts)
    assert joint[0] < 0.02 and res.residual[0] < 0.02
    assert vert[0] < 0.04  # twist/shape ambiguities leave a few cm
    assert res.vertices.shape == (1, body_model.num_vertices, 3)
    assert res.vertices.dtype == np.float32 and res.fitted.all()
    # Camera frame: the fitted body is upright (head above the ankles means
    # smaller y in OpenCV coordinates) and in front of the camera.
    assert res.joints[0, 15, 1] < res.joints[0, 7, 1] - 1.0
    assert res.vertices[..., 2].min() > 1.5


@pytest.mark.slow  # ~2-5 s on a loaded 2-core CPU
def test_warm_started_sequence(body_model):
    kp, verts, _ = _sequence(body_model, 5, seed=1)
    # Strictly frame to frame, few iterations after the first frame: only
    # works because each frame starts from the previous solution.
    fitter = JointFitter(body_model, window=1, iters=3)
    res = fitter(kp, 'smplh73')
    joint, vert = _errors(res, kp, verts)
    assert joint.max() < 0.02 and (res.residual < 0.02).all()
    assert vert.max() < 0.05
    # The warm start keeps consecutive frames' poses close (no flips).
    assert np.abs(np.diff(res.body_pose, axis=0)).max() < 0.5


@pytest.mark.slow  # ~2-5 s on a loaded 2-core CPU
def test_invalid_frames_are_interpolated(fitter, body_model):
    kp, verts, _ = _sequence(body_model, 5, seed=2)
    corrupted = kp.copy()
    corrupted[2] = 0.0  # garbage (would put the body at the camera)
    valid = np.array([True, True, False, True, True])
    res = fitter(corrupted, 'smplh73', valid=valid)
    assert res.fitted.tolist() == valid.tolist()
    assert np.isnan(res.residual[2]) and np.isfinite(res.residual[valid]).all()
    joint, vert = _errors(res, kp, verts)
    assert joint[2] < 0.03 and vert[2] < 0.05
    # Zero confidence on every joint of a frame counts as invalid too.
    conf = np.ones(kp.shape[:2])
    conf[0] = 0
    res = fitter(kp, 'smplh73', confidence=conf)
    assert res.fitted.tolist() == [False, True, True, True, True]
    assert np.allclose(res.body_pose[0], res.body_pose[1])


@pytest.mark.slow  # ~2-5 s on a loaded 2-core CPU
def test_synthetic16_fits_a_real_dataset_file(fitter):
    if not osp.isfile(SYNTHETIC):
        pytest.skip(f'{SYNTHETIC} is absent: generate the synthetic dataset '
                    f'(mmprivact.datasets.synthetic) to run this test.')
    with np.load(SYNTHETIC) as data:
        joints = data['joints3d'][:8]
    res = fitter(joints, 'synthetic16')
    assert res.residual.mean() < 0.05
    # Wrists and ankles land where the data puts them (camera coordinates).
    for src, dst in ((6, 20), (9, 21), (12, 7), (15, 8)):
        err = np.linalg.norm(res.joints[:, dst] - joints[:, src], axis=1)
        assert err.mean() < 0.06, (src, err)
    assert np.abs(res.betas).max() < 3.0


def test_clear_errors(fitter):
    with pytest.raises(ValueError, match='Unknown joint layout'):
        fitter(np.zeros((2, 16, 3)), 'kinect_v1')
    with pytest.raises(ValueError,
                       match=r'joints3d must be an array of '
                       r"shape \(T, 17, 3\) for layout 'coco17'"):
        fitter(np.zeros((2, 16, 3)), 'coco17')
    with pytest.raises(ValueError, match='valid must be a bool array'):
        fitter(np.zeros((2, 17, 3)), 'coco17', valid=np.ones(3, bool))
    with pytest.raises(ValueError, match='No frame has usable joints'):
        fitter(np.full((2, 17, 3), np.nan), 'coco17')


def test_build_from_config(body_cache):
    fitter = build_body_fitter(
        dict(type='JointFitter',
             window=4,
             body_model=dict(cache_dir=str(body_cache / 'smplh'))))
    assert isinstance(fitter, JointFitter) and fitter.window == 4
    with pytest.raises(ValueError, match='window must be a positive int'):
        JointFitter(fitter.body_model, window=0)
