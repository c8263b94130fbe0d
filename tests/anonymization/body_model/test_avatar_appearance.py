import numpy as np
import pytest

from mmprivact.anonymization.body_model import AvatarAppearance


@pytest.fixture(scope='module')
def appearance(body_model):
    return AvatarAppearance(body_model)


def test_deterministic_and_varied(appearance, body_model):
    betas, colors = appearance(7)
    betas2, colors2 = appearance(7)
    assert np.array_equal(betas, betas2) and np.array_equal(colors, colors2)
    assert betas.shape == (10, ) and np.abs(betas).max() <= 2.5
    assert colors.shape == (body_model.num_vertices, 3)
    assert colors.dtype == np.uint8
    others = [appearance(s) for s in range(8, 12)] + [appearance(7, 1)]
    for b, c in others:
        assert not np.array_equal(b, betas)
        assert np.abs(c.astype(int) - colors).mean() > 5


def test_regions_follow_the_body(appearance, body_model):
    _, colors = appearance(3)
    region = appearance.region
    c = colors.astype(float)
    # Shoes differ from the skin of the hands; left and right shoe match.
    feet, hands = region == 'foot', region == 'hand'
    assert np.linalg.norm(c[feet].mean(0) - c[hands].mean(0)) > 10
    left = feet & (appearance.verts[:, 0] > 0)
    right = feet & (appearance.verts[:, 0] < 0)
    assert np.linalg.norm(c[left].mean(0) - c[right].mean(0)) < 8
    assert set(np.unique(region)) >= {'head', 'torso', 'thigh', 'foot', 'hand'}


def test_bad_seed(appearance):
    with pytest.raises(ValueError, match='seed must be a non-negative int'):
        appearance(-1)
    with pytest.raises(ValueError, match='person_index'):
        appearance(0, 1.5)
