import os

import numpy as np
import pytest
import torch

from mmprivact.anonymization.body_model import (SMPLH_PARENTS,
                                                DefaultBodyGenerator)
from mmprivact.anonymization.body_model import default_body as db


@pytest.fixture(scope='module')
def arrays(body_cache):
    with np.load(body_cache / 'smplh' / 'SMPLH_NEUTRAL.npz') as data:
        return {k: data[k] for k in data.files}


def test_loads_through_smplx_create_and_reproduces_the_skeleton(
        body_cache, arrays):
    import smplx
    model = smplx.create(str(body_cache),
                         model_type='smplh',
                         ext='npz',
                         gender='neutral',
                         use_pca=False)
    assert model.v_template.shape[0] >= 6890
    assert model.num_betas == 10
    assert model.parents.tolist() == list(SMPLH_PARENTS)
    out = model()
    rest = arrays['rest_joints']
    np.testing.assert_allclose(out.joints[0, :52].detach().numpy(),
                               rest,
                               atol=1e-5)
    # ~1.70 m tall, feet at the bottom, y up, facing +z (nose in front).
    v = arrays['v_template']
    assert 1.65 < v[:, 1].max() - v[:, 1].min() < 1.78
    nose = out.joints[0, 52].detach().numpy()
    assert nose[2] > rest[15, 2] + 0.08 and abs(nose[0]) < 1e-6
    left_ear, right_ear = out.joints[0, 56], out.joints[0, 55]
    assert left_ear[0] > 0.05 > -0.05 > right_ear[0]
    assert arrays['f'].max() == len(v) - 1 and arrays['f'].min() == 0


def test_weights_and_regressor_are_convex(arrays):
    w, reg = arrays['weights'], arrays['J_regressor']
    assert w.shape == (len(arrays['v_template']), 52)
    assert w.min() >= 0 and np.allclose(w.sum(1), 1.0, atol=1e-9)
    assert reg.min() >= 0 and np.allclose(reg.sum(1), 1.0, atol=1e-9)
    np.testing.assert_allclose(reg @ arrays['v_template'],
                               arrays['rest_joints'],
                               atol=1e-6)
    # Skinning is local: no vertex is driven by more than 6 joints.
    assert (w > 0).sum(1).max() <= 6
    assert not arrays['posedirs'].any()
    assert arrays['posedirs'].shape[1:] == (3, 459)
    np.testing.assert_array_equal(arrays['hands_componentsl'], np.eye(45))
    assert not arrays['hands_meanr'].any()


def test_shape_components_are_meaningful(arrays):
    v, sd = arrays['v_template'], arrays['shapedirs']
    assert sd.shape == (len(v), 3, 10)

    def height(beta):
        y = (v + sd[..., beta])[:, 1]
        return y.max() - y.min()

    base = v[:, 1].max() - v[:, 1].min()
    assert height(0) - base > 0.05  # "height": +1 unit ~ +7 cm
    assert height(2) - base > 0.03  # leg length
    girth = np.linalg.norm(v[:, [0, 2]] + sd[:, [0, 2], 1], axis=1).mean()
    assert girth > np.linalg.norm(v[:, [0, 2]], axis=1).mean()


def test_generation_is_deterministic_and_cached(tmp_path):
    gen = DefaultBodyGenerator(str(tmp_path))
    first = gen.to_bytes()
    assert first == DefaultBodyGenerator(str(tmp_path / 'x')).to_bytes()
    path = gen.ensure()
    with open(path, 'rb') as f:
        assert f.read() == first
    stamp = os.stat(path).st_mtime_ns
    assert gen.ensure() == path and os.stat(path).st_mtime_ns == stamp
    # A stale (other version) file is regenerated.
    with open(path, 'wb') as f:
        f.write(b'not a zip')
    gen.ensure()
    with open(path, 'rb') as f:
        assert f.read() == first
    assert not [p for p in os.listdir(tmp_path) if p.endswith('.tmp')]


def test_default_cache_dir_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv('MMPRIVACT_BODY_MODEL_DIR', str(tmp_path))
    assert db.default_cache_dir() == str(tmp_path)
    assert DefaultBodyGenerator().path == str(tmp_path / 'SMPLH_NEUTRAL.npz')


def test_posing_moves_the_forearm_with_the_elbow(body_model):
    pose = torch.zeros(1, 63)
    pose[0, 17 * 3 + 1] = -1.5  # left elbow (joint 18) flexes forward
    z = torch.zeros(1, 3)
    v0, j0 = body_model(torch.zeros(1, 10), z, torch.zeros(1, 63), z)
    v1, j1 = body_model(torch.zeros(1, 10), z, pose, z)
    # The wrist swings to the front (+z), the shoulder stays put.
    assert j1[0, 20, 2] - j0[0, 20, 2] > 0.2
    assert torch.allclose(j1[0, 16], j0[0, 16])
    moved = (v1 - v0).norm(dim=2)[0] > 0.05
    assert 200 < int(moved.sum()) < v0.shape[1] // 4
