import math

import numpy as np
import pytest

from mmprivact.anonymization.camera import (intrinsics_from_fov, project,
                                            solve_translation)


def _body(num_joints=17, seed=0):
    rng = np.random.default_rng(seed)
    rel = rng.uniform(-0.4, 0.4, (num_joints, 3))
    rel[:, 1] *= 2.0  # A standing body is taller than wide.
    return rel - rel.mean(0)


def test_intrinsics_from_fov_values():
    K = intrinsics_from_fov(480, 640, fov_deg=90.0)
    assert K[0, 0] == pytest.approx(320.0) and K[1, 1] == pytest.approx(320.0)
    assert K[0, 2] == 319.5 and K[1, 2] == 239.5
    # FOV across the larger side: portrait and landscape share the focal.
    assert intrinsics_from_fov(640, 480, 90.0)[0, 0] == pytest.approx(320.0)
    f60 = intrinsics_from_fov(512, 512)[0, 0]
    assert f60 == pytest.approx(256 / math.tan(math.radians(30)))
    with pytest.raises(ValueError, match='fov_deg'):
        intrinsics_from_fov(10, 10, 180.0)
    with pytest.raises(ValueError, match='height and width'):
        intrinsics_from_fov(0, 10)


def test_project_marks_points_behind_the_camera():
    K = intrinsics_from_fov(100, 100)
    uv = project(np.array([[0.0, 0.0, 2.0], [1.0, 0.0, -1.0]]), K)
    np.testing.assert_allclose(uv[0], [49.5, 49.5])
    assert np.isnan(uv[1]).all()


def test_solve_translation_exact_without_noise():
    K = intrinsics_from_fov(480, 640, 60.0)
    rel = _body()
    t_true = np.array([0.3, -0.2, 4.0])
    uv = project(rel + t_true, K)
    t = solve_translation(rel, uv, K)
    np.testing.assert_allclose(t, t_true, atol=1e-9)


def test_solve_translation_with_one_pixel_noise():
    K = intrinsics_from_fov(480, 640, 60.0)
    rel = _body(seed=1)
    t_true = np.array([-0.5, 0.4, 3.0])
    uv = project(rel + t_true, K)
    errors = []
    for seed in range(20):
        noisy = uv + np.random.default_rng(seed).normal(0, 1.0, uv.shape)
        errors.append(solve_translation(rel, noisy, K) - t_true)
    errors = np.abs(np.array(errors))
    # ~1 px of noise on ~550 px focal at 3 m: millimetres laterally,
    # centimetres in depth.
    assert errors[:, :2].max() < 0.01
    assert errors[:, 2].max() < 0.05


def test_zero_weight_joints_are_ignored_and_too_few_raise():
    K = intrinsics_from_fov(240, 320)
    rel = _body(8)
    t_true = np.array([0.1, 0.1, 2.5])
    uv = project(rel + t_true, K)
    uv[0] = [1e4, -1e4]  # An outlier ...
    w = np.ones(8)
    w[0] = 0.0  # ... with no weight.
    rel_nan = rel.copy()
    rel_nan[1] = np.nan  # Non-finite joints are skipped too.
    np.testing.assert_allclose(solve_translation(rel_nan, uv, K, weights=w),
                               t_true,
                               atol=1e-9)
    with pytest.raises(ValueError, match='at least 2 joints'):
        solve_translation(rel, uv, K, weights=np.eye(8)[3])
    with pytest.raises(ValueError, match='joints2d must have shape'):
        solve_translation(rel, uv[:3], K)
