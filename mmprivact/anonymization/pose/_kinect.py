"""Kinect v2 camera space -> OpenCV camera of the colour video.

Kinect v2 camera space (the depth sensor's frame, metres) is documented as
right-handed with y up and z along the sensor's view. NTU RGB+D's files
show how it relates to the released colour video: ``colorX`` *grows* with
``x`` and ``colorY`` falls with ``y`` (e.g. S001C001P001R001A001, frame 0:
spine base x=0.218 m -> colorX 1036 > 960, spine mid y=0.433 m above it ->
colorY 444 < 519). The colour video is therefore a mirror image of the
physical scene. To make 3D joints that project onto the video we map
``(x, y, z) -> (x, -y, z)`` (a reflection) and swap the left/right joint
labels, which turns the mirrored skeleton back into a proper body: the
avatar then stands where the person appears in the video.

The colour camera is ~5 cm beside the depth sensor and has its own
intrinsics; :func:`fit_color_camera` recovers both from the file's own
(3D, colour pixel) pairs, per axis ``u * z = a * x + e + c * z``.
"""
from typing import Optional, Tuple

import numpy as np

# Commonly used Kinect v2 colour intrinsics (1920x1080), for files without
# 2D colour coordinates.
KINECT_V2_COLOR_SIZE = (1080, 1920)
KINECT_V2_COLOR_K = np.array([[1081.37, 0.0, 959.5], [0.0, 1081.37, 539.5],
                              [0.0, 0.0, 1.0]])
# Observed in NTU RGB+D (see the module docstring): u grows with x, v falls
# with y.
NTU_AXIS_SIGNS = (1.0, -1.0)


def fit_color_camera(
    xyz: np.ndarray,
    uv: np.ndarray,
    max_rms_px: float = 10.0
) -> Optional[Tuple[np.ndarray, np.ndarray, Tuple[float, float]]]:
    """Fit a pinhole colour camera to Kinect 3D joints and colour pixels.

    Model per axis: ``u = a (x + ox) / z + cx``, ``v = b (y + oy) / z + cy``
    (translation along z and rotation neglected: the sensors are parallel
    and side by side).

    Args:
        xyz (np.ndarray): (N, 3) Kinect camera-space points, z > 0.
        uv (np.ndarray): (N, 2) their colour pixels.
        max_rms_px (float): Reject fits with a larger RMS residual.

    Returns:
        tuple | None: ``(K, offset, signs)`` with ``K`` (3, 3), ``offset``
        (3,) added to Kinect points before the axis signs, and ``signs``
        ``(sign(a), sign(b))``; None when the points do not determine the
        camera (too few, degenerate, or a poor fit).
    """
    ok = np.isfinite(xyz).all(1) & np.isfinite(uv).all(1) & (xyz[:, 2] > 0.1)
    xyz, uv = xyz[ok], uv[ok]
    if len(xyz) < 10:
        return None
    params = []
    for axis in (0, 1):
        A = np.stack([xyz[:, axis], np.ones(len(xyz)), xyz[:, 2]], 1)
        rhs = uv[:, axis] * xyz[:, 2]
        sol, _, rank, _ = np.linalg.lstsq(A, rhs, rcond=None)
        if rank < 3:
            return None
        a, e, c = sol
        pred = a * (xyz[:, axis] + e / a) / xyz[:, 2] + c
        rms = np.sqrt(np.mean((pred - uv[:, axis])**2))
        if not (200.0 < abs(a) < 5000.0) or rms > max_rms_px:
            return None
        params.append((a, e / a, c))
    (a, ox, cx), (b, oy, cy) = params
    K = np.array([[abs(a), 0.0, cx], [0.0, abs(b), cy], [0.0, 0.0, 1.0]])
    return K, np.array([ox, oy, 0.0]), (float(np.sign(a)), float(np.sign(b)))


def kinect_to_opencv(xyz: np.ndarray, offset: np.ndarray,
                     signs: Tuple[float, float]) -> np.ndarray:
    """Map Kinect camera-space points into the colour camera's OpenCV frame.

    Args:
        xyz (np.ndarray): (..., 3) Kinect points.
        offset (np.ndarray): (3,) sensor offset from :func:`fit_color_camera`.
        signs (tuple[float, float]): Signs applied to x and y.

    Returns:
        np.ndarray: (..., 3) points; when ``signs[0] * signs[1] < 0`` the
        map is a reflection and the caller must swap left/right labels.
    """
    return (xyz + offset) * np.array([signs[0], signs[1], 1.0])
