"""The refinement stage interface: make the composited avatar look natural."""
from abc import ABCMeta, abstractmethod
from typing import Optional

import cv2
import numpy as np

from ..array_checks import check_frames, check_mask, \
    check_non_negative_int, dilate_masks


class BaseRefiner(metaclass=ABCMeta):
    """Re-render the synthetic region of a clip, keep everything else.

    Subclasses implement :meth:`refine`. :meth:`__call__` checks the input,
    grows ``region`` by ``dilate`` pixels (Euclidean disk), returns a copy
    of the frames at once when the grown region is empty (no model runs),
    calls :meth:`refine`, and blends its result into the input with weight
    ``w``: with ``d`` the Euclidean distance from a pixel of the grown region
    to the nearest pixel outside it (1 on its edge; the image border is not
    an edge), ``w = d / (feather + 1)`` where ``d <= feather`` and 1 deeper
    inside; ``w = 0`` outside. So the blend band lies *inside* the grown
    region, every pixel outside ``dilate(region, dilate)`` is returned
    exactly unchanged, and with ``feather <= dilate`` the original region
    is fully replaced by the refined pixels.

    Args:
        dilate (int): Grow ``region`` by this many pixels. Defaults to 4.
        feather (int): Width in pixels of the blend band; 0 pastes with a
            hard edge. Defaults to 4.
    """

    #: Whether :meth:`__call__` needs a ``control`` sequence.
    requires_control: bool = False

    def __init__(self, dilate: int = 4, feather: int = 4) -> None:
        self.dilate = check_non_negative_int('dilate', dilate)
        self.feather = check_non_negative_int('feather', feather)

    def __call__(self, frames: np.ndarray, region: np.ndarray,
                 control: Optional[np.ndarray] = None) -> np.ndarray:
        """Refine ``frames`` inside ``region``.

        Args:
            frames (np.ndarray): uint8 RGB clip (T, H, W, 3), the
                composited avatar over the background.
            region (np.ndarray): bool (T, H, W), True on the synthetic
                (avatar) pixels to refine.
            control (np.ndarray, optional): uint8 (T, H, W, 3) conditioning
                sequence (e.g. the avatar render or its depth as RGB) for
                backends with ``requires_control``.

        Returns:
            np.ndarray: uint8 (T, H, W, 3); equal to ``frames`` outside
            ``dilate(region, dilate)``.
        """
        check_frames('frames', frames)
        check_mask('region', region, frames.shape[:3])
        if control is not None:
            check_frames('control', control)
            if control.shape != frames.shape:
                raise ValueError(f'`control` must have the shape of `frames` '
                                 f'{frames.shape}; got {control.shape}. '
                                 f'Render it at the frame size.')
        elif self.requires_control:
            raise ValueError(
                f'{type(self).__name__} needs `control`, a uint8 (T, H, W, 3) '
                f'conditioning sequence (e.g. the avatar render or its depth '
                f'map as RGB) of the frames\' shape {frames.shape}; got None.')
        grown = dilate_masks(region, self.dilate)
        if not grown.any():
            return frames.copy()
        refined = self.refine(frames, grown, control)
        if refined.shape != frames.shape or refined.dtype != np.uint8:
            raise RuntimeError(
                f'{type(self).__name__}.refine returned {refined.dtype} '
                f'{refined.shape}; expected uint8 {frames.shape}.')
        out = frames.copy()
        for t in range(frames.shape[0]):
            if not grown[t].any():
                continue
            w = self.blend_weights(grown[t])[..., None]
            blend = w * refined[t] + (1 - w) * frames[t].astype(np.float32)
            blend = np.clip(np.rint(blend), 0, 255).astype(np.uint8)
            # Copy, not blend, outside: exactness does not rest on float maths.
            out[t] = np.where(grown[t][..., None], blend, frames[t])
        return out

    def blend_weights(self, grown: np.ndarray) -> np.ndarray:
        """Paste-back weight of one frame (see the class doc).

        Args:
            grown (np.ndarray): bool (H, W), the dilated region.

        Returns:
            np.ndarray: float32 (H, W) in [0, 1], 0 outside ``grown``.
        """
        w = grown.astype(np.float32)
        if self.feather == 0 or grown.all():
            return w
        dist = cv2.distanceTransform(grown.astype(np.uint8), cv2.DIST_L2,
                                     cv2.DIST_MASK_PRECISE)
        band = grown & (dist <= self.feather)
        w[band] = dist[band] / (self.feather + 1)
        return w

    @abstractmethod
    def refine(self, frames: np.ndarray, grown: np.ndarray,
               control: Optional[np.ndarray]) -> np.ndarray:
        """Backend work: refined frames (blended back by the caller).

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            grown (np.ndarray): bool (T, H, W), the dilated region, not all
                False (frames where it is empty may be left as they are).
            control (np.ndarray, optional): uint8 (T, H, W, 3), checked;
                not None when ``requires_control``.

        Returns:
            np.ndarray: uint8 (T, H, W, 3). Only pixels inside ``grown`` are
            used.
        """

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(dilate={self.dilate}, '
                f'feather={self.feather})')
