import pytest
import torch

from mmprivact.anonymization.body_model import LANDMARK_NAMES, SMPLHBodyModel
from mmprivact.anonymization.body_model.smplh_topology import \
    LANDMARK_VERTEX_IDS


def _params(b, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(b, 10,
                        generator=g), torch.randn(b, 3, generator=g) * 0.5,
            torch.randn(b, 63, generator=g) * 0.3,
            torch.randn(b, 3, generator=g))


def test_forward_shapes_and_faces(body_model):
    v, j = body_model(*_params(2))
    n = body_model.num_vertices
    assert v.shape == (2, n, 3) and j.shape == (2, 52, 3)
    assert body_model.faces.shape[1] == 3 and body_model.faces.max() == n - 1
    assert body_model.is_default_body


def test_keypoints_match_the_full_forward(body_model):
    params = _params(3, seed=1)
    hand = torch.zeros(3, 90)
    v, j = body_model(*params, hand_pose=hand)
    kp = body_model.keypoints(*params)
    assert kp.shape == (3, 52 + len(LANDMARK_NAMES), 3)
    torch.testing.assert_close(kp[:, :52].float(), j, atol=1e-5, rtol=0)
    torch.testing.assert_close(kp[:, 52:].float(),
                               v[:, list(LANDMARK_VERTEX_IDS)],
                               atol=1e-5,
                               rtol=0)


def test_transl_translates(body_model):
    betas, orient, pose, _ = _params(1)
    v0, _ = body_model(betas, orient, pose, torch.zeros(1, 3))
    v1, _ = body_model(betas, orient, pose, torch.tensor([[0.5, -1.0, 2.0]]))
    torch.testing.assert_close(v1 - v0,
                               torch.tensor([0.5, -1.0, 2.0]).expand_as(v0),
                               atol=1e-5,
                               rtol=0)


def test_user_path_loads_the_given_file(body_cache, body_model):
    # Pointing model_path at the folder or the file behaves like a user's
    # official SMPL-H (same keys), giving the same body.
    for path in (body_cache, body_cache / 'smplh',
                 body_cache / 'smplh' / 'SMPLH_NEUTRAL.npz'):
        m = SMPLHBodyModel(model_path=str(path))
        assert not m.is_default_body
        params = _params(1, seed=2)
        torch.testing.assert_close(m(*params)[0], body_model(*params)[0])


def test_bad_model_path_names_path_and_expected_files(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        SMPLHBodyModel(model_path=str(tmp_path / 'nowhere'))
    msg = str(err.value)
    assert 'nowhere' in msg and 'SMPLH_NEUTRAL.npz' in msg
    with pytest.raises(FileNotFoundError, match='SMPLH_MALE.npz'):
        SMPLHBodyModel(model_path=str(tmp_path), gender='male')


def test_bad_arguments(body_model):
    with pytest.raises(ValueError, match='gender'):
        SMPLHBodyModel(gender='other')
    betas, orient, pose, transl = _params(2)
    with pytest.raises(ValueError,
                       match=r'body_pose must be a tensor of '
                       r'shape \(2, 63\)'):
        body_model(betas, orient, pose[:, :60], transl)
    with pytest.raises(ValueError, match='hand_pose'):
        body_model(betas, orient, pose, transl, hand_pose=torch.zeros(2, 6))
