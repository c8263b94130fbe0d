import numpy as np
import pytest

from mmprivact.anonymization.camera import intrinsics_from_fov, project
from mmprivact.anonymization.pose import (OneEuroFilter, PoseSequence,
                                          build_pose_smoother)


def test_reduces_jitter_on_a_noisy_constant():
    rng = np.random.default_rng(0)
    noisy = 100.0 + rng.normal(0.0, 2.0, (300, 4))
    out = OneEuroFilter(min_cutoff=1.0, beta=0.05, fps=30.0).filter(noisy)
    raw_std = noisy[30:].std(0)
    smooth_std = out[30:].std(0)
    assert np.all(smooth_std < 0.5 * raw_std)
    assert np.abs(out[30:].mean(0) - 100.0).max() < 0.5


def test_ramp_lag_is_bounded_and_beta_reduces_it():
    t = np.arange(200, dtype=float)
    ramp = 2.0 * t  # 2 px / frame = 60 px / s at 30 fps.
    fast = OneEuroFilter(min_cutoff=1.0, beta=0.1, fps=30.0).filter(ramp)
    slow = OneEuroFilter(min_cutoff=1.0, beta=0.0, fps=30.0).filter(ramp)
    lag_fast = (ramp - fast)[100:]
    lag_slow = (ramp - slow)[100:]
    assert np.all(lag_fast >= 0) and lag_fast.max() < 2.0  # < 1 frame.
    # beta = 0 is a plain low-pass: its lag is ~ slope * tau / dt (~9.5 px).
    assert 8.0 < lag_slow.mean() < 11.0


def test_invalid_frames_are_skipped_and_returned_unchanged():
    x = np.array([0.0, 0.0, 1000.0, 0.0, 0.0])
    ok = np.array([True, True, False, True, True])
    out = OneEuroFilter().filter(x, ok)
    assert out[2] == 1000.0 and np.all(out[ok] == 0.0)


def test_smooth_pose_sequence_keeps_shapes_and_refills_gaps():
    K = intrinsics_from_fov(64, 64)
    rng = np.random.default_rng(1)
    base = np.array([0.0, 0.0, 3.0]) + rng.uniform(-0.3, 0.3, (16, 3))
    j3d = base + rng.normal(0, 0.01, (1, 40, 16, 3))
    valid = np.ones((1, 40), bool)
    valid[0, 20] = False
    seq = PoseSequence(j3d, project(j3d, K),
                       np.ones((1, 40, 16)) * valid[..., None], valid,
                       'synthetic16', K, (64, 64))
    out = build_pose_smoother(dict(type='OneEuro', min_cutoff=0.5,
                                   beta=0.0))(seq)
    assert out.joints3d.shape == seq.joints3d.shape
    assert (out.valid == seq.valid).all()
    err_raw = np.abs(seq.joints3d[0, 10:] - base).mean()
    err_smooth = np.abs(out.joints3d[0, 10:] - base).mean()
    assert err_smooth < 0.6 * err_raw
    np.testing.assert_allclose(out.joints3d[0, 20],
                               (out.joints3d[0, 19] + out.joints3d[0, 21]) / 2,
                               atol=1e-6)
    assert build_pose_smoother(None) is None


def test_bad_parameters_raise():
    with pytest.raises(ValueError, match='min_cutoff'):
        OneEuroFilter(min_cutoff=0)
    with pytest.raises(ValueError, match='beta'):
        OneEuroFilter(beta=-1)
