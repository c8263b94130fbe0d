"""MediaPipe pose landmarks placed in the camera (shared by both backends)."""
import logging
from typing import Optional, Tuple

import numpy as np

from ..camera import solve_translation

logger = logging.getLogger(__name__)


def place_landmarks(
        image_landmarks: np.ndarray, world_landmarks: np.ndarray,
        K: np.ndarray, height: int, width: int
) -> Optional[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Camera-space joints of one detected person.

    MediaPipe's world landmarks share the image axes (x right, y down, z
    away from the camera) and are centred between the hips; the translation
    that puts them on the image landmarks is solved, weighted by
    visibility. Image landmarks are normalised to the image edges and are
    converted to pixel-centre coordinates ``u = x * W - 0.5``.

    Args:
        image_landmarks (np.ndarray): (33, 3) normalised x, y and
            visibility.
        world_landmarks (np.ndarray): (33, 3) metric x, y, z.
        K (np.ndarray): (3, 3) intrinsics.
        height (int): Image height.
        width (int): Image width.

    Returns:
        tuple | None: (33, 3) camera-space joints, (33, 2) pixel landmarks
        and (33,) visibility in [0, 1]; None when no placement in front of
        the camera exists.
    """
    uv = image_landmarks[:, :2] * (width, height) - 0.5
    vis = np.clip(image_landmarks[:, 2], 0.0, 1.0)
    try:
        trans = solve_translation(world_landmarks, uv, K, weights=vis)
    except ValueError as err:
        logger.debug('no camera placement (%s)', err)
        return None
    if not np.isfinite(trans).all() or trans[2] <= 0:
        return None
    return world_landmarks + trans, uv, vis
