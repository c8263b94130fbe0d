"""Array checks and mask helpers shared by the anonymization stages.

Used by inpainting, obfuscation, compositing, refinement and the pipeline,
so that all reject bad input with the same messages and dilate masks the
same way.
"""
from typing import Tuple

import cv2
import numpy as np


def check_frames(name: str, frames: np.ndarray) -> np.ndarray:
    """Check a ``uint8`` RGB clip of shape (T, H, W, 3).

    Args:
        name (str): Argument name used in the error message.
        frames (np.ndarray): The clip.

    Returns:
        np.ndarray: ``frames`` unchanged.
    """
    if not isinstance(frames, np.ndarray):
        raise TypeError(
            f'`{name}` must be a numpy array of shape (T, H, W, 3) and dtype '
            f'uint8; got {type(frames).__name__}. Convert it with '
            f'np.asarray(...).')
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f'`{name}` must have shape (T, H, W, 3) (RGB clip); '
                         f'got shape {frames.shape}. For one frame pass '
                         f'frame[None].')
    if frames.dtype != np.uint8:
        raise TypeError(f'`{name}` must have dtype uint8; got {frames.dtype}. '
                        f'Convert with np.clip(x, 0, 255).astype(np.uint8).')
    return frames


def check_mask(name: str, mask: np.ndarray,
               shape: Tuple[int, int, int]) -> np.ndarray:
    """Check a bool mask of shape (T, H, W).

    Args:
        name (str): Argument name used in the error message.
        mask (np.ndarray): The mask.
        shape (tuple[int, int, int]): Expected (T, H, W).

    Returns:
        np.ndarray: ``mask`` unchanged.
    """
    if not isinstance(mask, np.ndarray):
        raise TypeError(f'`{name}` must be a bool numpy array of shape '
                        f'{tuple(shape)}; got {type(mask).__name__}.')
    if mask.dtype != np.bool_:
        raise TypeError(f'`{name}` must have dtype bool; got {mask.dtype}. '
                        f'Convert with mask > 0 (or mask.astype(bool)).')
    if mask.shape != tuple(shape):
        raise ValueError(f'`{name}` must have shape (T, H, W) = '
                         f'{tuple(shape)} to match the frames; got '
                         f'{mask.shape}.')
    return mask


def check_depth(name: str, depth: np.ndarray,
                shape: Tuple[int, int, int]) -> np.ndarray:
    """Check a float depth map of shape (T, H, W).

    Args:
        name (str): Argument name used in the error message.
        depth (np.ndarray): Depth in metres (``np.inf`` = nothing there).
        shape (tuple[int, int, int]): Expected (T, H, W).

    Returns:
        np.ndarray: ``depth`` unchanged.
    """
    if not isinstance(depth, np.ndarray):
        raise TypeError(f'`{name}` must be a float numpy array of shape '
                        f'{tuple(shape)}; got {type(depth).__name__}.')
    if not np.issubdtype(depth.dtype, np.floating):
        raise TypeError(f'`{name}` must have a float dtype (metres, np.inf '
                        f'where empty); got {depth.dtype}.')
    if depth.shape != tuple(shape):
        raise ValueError(f'`{name}` must have shape (T, H, W) = '
                         f'{tuple(shape)} to match the frames; got '
                         f'{depth.shape}.')
    return depth


def check_non_negative_int(name: str, value: int) -> int:
    """Check a non-negative integer hyper-parameter (bool is refused).

    Args:
        name (str): Argument name used in the error message.
        value (int): The value.

    Returns:
        int: ``value`` as int.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value < 0:
        raise ValueError(f'`{name}` must be a non-negative int; got '
                         f'{value!r}.')
    return int(value)


def disk_kernel(radius: int) -> np.ndarray:
    """A disk structuring element: offsets (dx, dy) with dx^2 + dy^2 <= r^2.

    Args:
        radius (int): Radius in pixels.

    Returns:
        np.ndarray: ``uint8`` array of shape (2r+1, 2r+1).
    """
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return (xx * xx + yy * yy <= radius * radius).astype(np.uint8)


def dilate_masks(masks: np.ndarray, radius: int) -> np.ndarray:
    """Grow every frame's mask by ``radius`` pixels (Euclidean disk).

    A pixel is in the result when some mask pixel lies within Euclidean
    distance ``radius`` of it; ``radius=0`` returns ``masks`` itself.

    Args:
        masks (np.ndarray): bool (T, H, W).
        radius (int): Dilation radius in pixels.

    Returns:
        np.ndarray: bool (T, H, W).
    """
    if radius == 0:
        return masks
    kernel = disk_kernel(radius)
    out = np.empty_like(masks)
    for t, mask in enumerate(masks):
        out[t] = cv2.dilate(np.ascontiguousarray(mask, dtype=np.uint8), kernel,
                            borderType=cv2.BORDER_CONSTANT,
                            borderValue=0).astype(bool)
    return out

