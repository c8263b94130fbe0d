import cv2
import numpy as np
import pytest

from mmprivact.anonymization.renderer import project_points

K = np.array([[310.0, 0.0, 171.3], [0.0, 270.0, 101.8], [0.0, 0.0, 1.0]])


def test_matches_hand_computation_and_opencv():
    rng = np.random.default_rng(0)
    pts = np.column_stack([rng.uniform(-1, 1, (20, 2)),
                           rng.uniform(0.5, 5, 20)])
    uv = project_points(pts, K)
    expected = np.column_stack([310 * pts[:, 0] / pts[:, 2] + 171.3,
                                270 * pts[:, 1] / pts[:, 2] + 101.8])
    np.testing.assert_allclose(uv, expected, rtol=0, atol=1e-9)
    cv_uv, _ = cv2.projectPoints(pts, np.zeros(3), np.zeros(3), K, None)
    np.testing.assert_allclose(uv, cv_uv[:, 0], rtol=0, atol=1e-6)
    # The optical axis lands on the principal point.
    np.testing.assert_allclose(project_points([[0, 0, 3.0]], K),
                               [[171.3, 101.8]])


def test_points_behind_camera_are_nan():
    uv = project_points(np.array([[0.1, 0.2, -1.0], [0.0, 0.0, 0.0],
                                  [0.1, 0.2, 1.0]]), K)
    assert np.isnan(uv[:2]).all() and np.isfinite(uv[2]).all()


@pytest.mark.parametrize('bad_K', [np.eye(2), np.full((3, 3), np.nan),
                                   np.diag([-1.0, 1.0, 1.0]),
                                   np.array([[1.0, 0.2, 0], [0, 1, 0],
                                             [0, 0, 1]])])
def test_bad_intrinsics_are_refused(bad_K):
    with pytest.raises(ValueError, match='K must'):
        project_points(np.ones((1, 3)), bad_K)


def test_bad_points_shape_is_refused():
    with pytest.raises(ValueError, match=r'points must have shape \(N, 3\)'):
        project_points(np.ones((4, 2)), K)
