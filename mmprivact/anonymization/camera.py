"""Pinhole camera helpers: default intrinsics and the person's translation.

A monocular pose estimator gives metric 3D joints relative to the body root
(e.g. MediaPipe's world landmarks, centred between the hips) and 2D joints
in pixels. :func:`solve_translation` recovers where that body stands in
front of the camera: the translation ``t`` that, added to the root-relative
joints, reprojects them onto the 2D joints. With it the avatar is rendered
where the person stood.

Conventions: OpenCV camera coordinates (x right, y down, z forward,
metres); pixel centres at integer coordinates, so the centre of an image of
width ``W`` is at ``(W - 1) / 2``.
"""
import math
from typing import Optional, Tuple

import numpy as np


def check_intrinsics(K: np.ndarray, name: str = 'K') -> np.ndarray:
    """Validate a zero-skew 3x3 pinhole intrinsics matrix.

    Args:
        K (np.ndarray): ``[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]``.
        name (str): Argument name used in error messages.

    Returns:
        np.ndarray: ``K`` as a (3, 3) float64 array.
    """
    K_arr = np.asarray(K, dtype=np.float64)
    if K_arr.shape != (3, 3) or not np.all(np.isfinite(K_arr)):
        raise ValueError(f'{name} must be a finite (3, 3) intrinsics matrix '
                         '[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]; got shape '
                         f'{K_arr.shape}. Build one with '
                         'intrinsics_from_fov(height, width).')
    if K_arr[0, 0] <= 0 or K_arr[1, 1] <= 0 or K_arr[0, 1] != 0 or \
            K_arr[1, 0] != 0 or not np.allclose(K_arr[2], [0, 0, 1]):
        raise ValueError(f'{name} must be [[fx, 0, cx], [0, fy, cy], '
                         f'[0, 0, 1]] with fx, fy > 0; got\n{K_arr}')
    return K_arr


def intrinsics_from_fov(height: int,
                        width: int,
                        fov_deg: float = 60.0) -> np.ndarray:
    """Intrinsics of an ideal camera with square pixels and a given FOV.

    The field of view is measured across the *larger* image side, so a
    portrait and a landscape frame of the same camera get the same focal
    length. The principal point is the image centre.

    Args:
        height (int): Image height in pixels.
        width (int): Image width in pixels.
        fov_deg (float): Field of view across the larger side, degrees,
            in (0, 180). Defaults to 60 (a typical phone / webcam).

    Returns:
        np.ndarray: (3, 3) float64 ``K``.
    """
    if int(height) != height or int(width) != width or height <= 0 or \
            width <= 0:
        raise ValueError('height and width must be positive integers; got '
                         f'height={height!r}, width={width!r}. Use '
                         'frames.shape[1:3].')
    if not 0.0 < float(fov_deg) < 180.0:
        raise ValueError(f'fov_deg must lie in (0, 180) degrees; got '
                         f'{fov_deg!r}.')
    focal = 0.5 * max(height, width) / math.tan(math.radians(fov_deg) / 2)
    return np.array([[focal, 0.0, (width - 1) / 2.0],
                     [0.0, focal, (height - 1) / 2.0], [0.0, 0.0, 1.0]])


def project(points: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Project OpenCV camera-space points to pixels.

    Args:
        points (np.ndarray): (..., 3) points in metres.
        K (np.ndarray): (3, 3) intrinsics.

    Returns:
        np.ndarray: (..., 2) float64 ``(u, v)``; NaN where ``z <= 0``.
    """
    K_arr = check_intrinsics(K)
    pts = np.asarray(points, dtype=np.float64)
    if pts.shape[-1:] != (3, ):
        raise ValueError('points must have shape (..., 3); got '
                         f'{pts.shape}.')
    z = pts[..., 2:3]
    with np.errstate(divide='ignore', invalid='ignore'):
        uv = (pts[..., :2] / z) * K_arr[[0, 1], [0, 1]] + K_arr[:2, 2]
    return np.where(z > 0, uv, np.nan)


def _translation_inputs(
    joints_rel: np.ndarray, joints2d: np.ndarray, weights: Optional[np.ndarray]
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    rel = np.asarray(joints_rel, dtype=np.float64)
    uv = np.asarray(joints2d, dtype=np.float64)
    if rel.ndim != 2 or rel.shape[1] != 3:
        raise ValueError('joints_rel must have shape (J, 3) (root-relative '
                         f'metric joints); got {rel.shape}.')
    if uv.shape != (len(rel), 2):
        raise ValueError(f'joints2d must have shape ({len(rel)}, 2) to match '
                         f'joints_rel; got {uv.shape}.')
    if weights is None:
        w = np.ones(len(rel))
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (len(rel), ):
            raise ValueError(f'weights must have shape ({len(rel)},); got '
                             f'{w.shape}.')
        if np.any(w < 0):
            raise ValueError('weights must be non-negative (e.g. landmark '
                             'visibilities in [0, 1]).')
    finite = np.isfinite(rel).all(1) & np.isfinite(uv).all(1) & \
        np.isfinite(w)
    w = np.where(finite, w, 0.0)
    if np.count_nonzero(w > 0) < 2:
        raise ValueError('solve_translation needs at least 2 joints with '
                         'finite coordinates and positive weight (3 '
                         f'unknowns, 2 equations per joint); got '
                         f'{np.count_nonzero(w > 0)}.')
    keep = w > 0
    return rel[keep], uv[keep], w[keep]


def solve_translation(joints_rel: np.ndarray,
                      joints2d: np.ndarray,
                      K: np.ndarray,
                      weights: Optional[np.ndarray] = None,
                      iterations: int = 5) -> np.ndarray:
    """Translation placing root-relative 3D joints onto their 2D projections.

    Solves ``min_t sum_j w_j |pi(K, X_j + t) - x_j|^2``. The projection
    equations multiplied by depth are linear in ``t``
    (``fx t_x - (u - cx) t_z = (u - cx) Z - fx X`` and the same for ``y``),
    which gives a closed-form start; a few Gauss-Newton steps on the true
    reprojection error then remove the depth weighting of that algebraic
    error. Noise-free input is recovered exactly.

    Args:
        joints_rel (np.ndarray): (J, 3) metric joints relative to the root,
            axes aligned with the OpenCV camera (x right, y down,
            z forward).
        joints2d (np.ndarray): (J, 2) pixel coordinates ``(u, v)``.
        K (np.ndarray): (3, 3) intrinsics.
        weights (np.ndarray, optional): (J,) non-negative weights, e.g.
            landmark visibility; joints with weight 0 or non-finite values
            are ignored. Defaults to all ones.
        iterations (int): Gauss-Newton steps after the linear solve.

    Returns:
        np.ndarray: (3,) float64 translation ``t`` (metres); the joints in
        camera space are ``joints_rel + t``.
    """
    K_arr = check_intrinsics(K)
    rel, uv, w = _translation_inputs(joints_rel, joints2d, weights)
    fx, fy, cx, cy = K_arr[0, 0], K_arr[1, 1], K_arr[0, 2], K_arr[1, 2]
    du, dv = uv[:, 0] - cx, uv[:, 1] - cy
    zeros = np.zeros_like(du)
    A = np.concatenate([
        np.stack([np.full_like(du, fx), zeros, -du], 1),
        np.stack([zeros, np.full_like(dv, fy), -dv], 1)
    ])
    b = np.concatenate(
        [du * rel[:, 2] - fx * rel[:, 0], dv * rel[:, 2] - fy * rel[:, 1]])
    sw = np.sqrt(np.concatenate([w, w]))
    t = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)[0]
    # The algebraic error above weighs each joint by its depth; refine on
    # the pixel reprojection error.
    sw_px = np.sqrt(w)
    for _ in range(int(iterations)):
        P = rel + t
        z = P[:, 2]
        if np.any(z <= 1e-6):
            break  # Degenerate start (body behind camera): keep linear t.
        res = np.concatenate([
            fx * P[:, 0] / z + cx - uv[:, 0], fy * P[:, 1] / z + cy - uv[:, 1]
        ])
        J = np.concatenate([
            np.stack([fx / z, zeros, -fx * P[:, 0] / z**2], 1),
            np.stack([zeros, fy / z, -fy * P[:, 1] / z**2], 1)
        ])
        sww = np.concatenate([sw_px, sw_px])
        step = np.linalg.lstsq(J * sww[:, None], -res * sww, rcond=None)[0]
        t = t + step
        if np.linalg.norm(step) < 1e-12:
            break
    return t
