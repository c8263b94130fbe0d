"""Pinhole projection with the renderer's camera model.

Pixel convention (OpenCV): the centre of the pixel in column ``u``, row ``v``
has coordinates ``(u, v)``, so a point projecting to (u, v) is drawn at
``image[round(v), round(u)]`` by every :class:`MeshRenderer` backend.
"""
import numpy as np


def check_intrinsics(K: np.ndarray) -> np.ndarray:
    """Validate a 3x3 pinhole intrinsics matrix.

    Args:
        K (np.ndarray): ``[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]``.

    Returns:
        np.ndarray: ``K`` as a (3, 3) float64 array.
    """
    K_arr = np.asarray(K, dtype=np.float64)
    if K_arr.shape != (3, 3) or not np.all(np.isfinite(K_arr)):
        raise ValueError('K must be a finite (3, 3) intrinsics matrix '
                         '[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]; got shape '
                         f'{K_arr.shape}. Pass the camera matrix of the '
                         'video frames.')
    if K_arr[0, 0] <= 0 or K_arr[1, 1] <= 0:
        raise ValueError('K must have positive focal lengths fx=K[0,0] and '
                         f'fy=K[1,1]; got fx={K_arr[0, 0]}, fy={K_arr[1, 1]}.')
    if (not np.allclose(K_arr[2], [0.0, 0.0, 1.0]) or K_arr[1, 0] != 0
            or K_arr[0, 1] != 0):
        raise ValueError('K must be a zero-skew pinhole matrix [[fx, 0, cx], '
                         f'[0, fy, cy], [0, 0, 1]]; got\n{K_arr}\nSet the '
                         'skew K[0, 1] to 0 (renderers do not model it).')
    return K_arr


def project_points(points: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Project 3D points in OpenCV camera coordinates to pixels.

    ``(u, v) = (fx x / z + cx, fy y / z + cy)``. Points with
    ``z <= 0`` (on or behind the camera plane) are not visible and get NaN.

    Args:
        points (np.ndarray): (N, 3) points, metres, x right, y down,
            z forward.
        K (np.ndarray): (3, 3) intrinsics.

    Returns:
        np.ndarray: (N, 2) float64 pixel coordinates ``(u, v)`` = (column,
        row), pixel centres at integers.
    """
    K_arr = check_intrinsics(K)
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise ValueError('points must have shape (N, 3) (OpenCV camera '
                         f'coordinates); got shape {pts.shape}. Reshape with '
                         'points.reshape(-1, 3).')
    z = pts[:, 2]
    out = np.full((len(pts), 2), np.nan)
    ok = z > 0
    homog = pts[ok] @ K_arr.T
    out[ok] = homog[:, :2] / homog[:, 2:3]
    return out
