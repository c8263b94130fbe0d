"""Depth- and occlusion-aware alpha compositing of the avatar."""
from typing import Optional, Tuple

import cv2
import numpy as np

from ..array_checks import check_non_negative_int
from .base_compositor import BaseCompositor
from .registry import COMPOSITORS


@COMPOSITORS.register()
class DepthAwareCompositor(BaseCompositor):
    """Draw the avatar where it is visible, with an optionally soft edge.

    The avatar is *visible* at a pixel when ``avatar_mask`` is True, it is
    in front of the scene (``avatar_depth < scene_depth + depth_tolerance``;
    skipped when ``scene_depth`` is None or NaN there) and ``occluder_mask``
    is False there. Its opacity ``alpha`` is 0 outside the visible region;
    inside, with ``d`` the Euclidean distance from the pixel to the nearest
    non-visible pixel (1 for pixels on the edge), ``alpha = d / (feather +
    1)`` where ``d <= feather`` and 1 elsewhere. So the edge is feathered
    *inwards* only, in a band at most ``feather`` pixels wide, and the avatar
    never spreads over pixels it does not own (occluders stay sharp in front
    of it). The image border is not an edge.

    Output is ``round(alpha * avatar + (1 - alpha) * background)``, and
    ``non_sensitive = alpha >= mask_threshold``. Since ``background`` is the
    inpainted clip, everything outside the avatar is background: the real
    person's old silhouette is gone even where the avatar does not cover it
    (the background itself is still real, hence sensitive).

    Args:
        feather (int): Width in pixels of the soft edge; 0 gives a hard
            edge (alpha is exactly 0 or 1). Defaults to 2.
        mask_threshold (float): Alpha from which a pixel counts as
            synthetic, in (0, 1]. Defaults to 0.5.
        depth_tolerance (float): Metres by which the avatar may be behind
            the scene and still be drawn (absorbs depth noise, e.g. feet on
            the floor). Defaults to 0.

    Example:
        >>> compositor = DepthAwareCompositor(feather=2)
        >>> frames, non_sensitive = compositor(
        ...     background, rgb, depth, mask)  # doctest: +SKIP
    """

    def __init__(self, feather: int = 2, mask_threshold: float = 0.5,
                 depth_tolerance: float = 0.0) -> None:
        self.feather = check_non_negative_int('feather', feather)
        if isinstance(mask_threshold, bool) or not isinstance(
                mask_threshold, (int, float)) or not 0 < mask_threshold <= 1:
            raise ValueError(f'`mask_threshold` must be in (0, 1]; got '
                             f'{mask_threshold!r}.')
        if isinstance(depth_tolerance, bool) or not isinstance(
                depth_tolerance, (int, float)) or depth_tolerance < 0:
            raise ValueError(f'`depth_tolerance` must be a non-negative '
                             f'number of metres; got {depth_tolerance!r}.')
        self.mask_threshold = float(mask_threshold)
        self.depth_tolerance = float(depth_tolerance)

    def visibility(self, avatar_depth: np.ndarray, avatar_mask: np.ndarray,
                   scene_depth: Optional[np.ndarray] = None,
                   occluder_mask: Optional[np.ndarray] = None) -> np.ndarray:
        """Where the avatar is visible (before feathering).

        Args:
            avatar_depth (np.ndarray): float (T, H, W).
            avatar_mask (np.ndarray): bool (T, H, W).
            scene_depth (np.ndarray, optional): float (T, H, W).
            occluder_mask (np.ndarray, optional): bool (T, H, W).

        Returns:
            np.ndarray: bool (T, H, W).
        """
        visible = avatar_mask.copy()
        if scene_depth is not None:
            with np.errstate(invalid='ignore'):
                in_front = avatar_depth < scene_depth + self.depth_tolerance
            visible &= in_front | np.isnan(scene_depth)
        if occluder_mask is not None:
            visible &= ~occluder_mask
        return visible

    def alpha(self, visible: np.ndarray) -> np.ndarray:
        """Avatar opacity from the visible region (see the class doc).

        Args:
            visible (np.ndarray): bool (T, H, W).

        Returns:
            np.ndarray: float32 (T, H, W) in [0, 1].
        """
        alpha = visible.astype(np.float32)
        if self.feather == 0:
            return alpha
        for t, vis in enumerate(visible):
            if not vis.any() or vis.all():
                continue
            dist = cv2.distanceTransform(vis.astype(np.uint8), cv2.DIST_L2,
                                         cv2.DIST_MASK_PRECISE)
            band = vis & (dist <= self.feather)
            alpha[t][band] = dist[band] / (self.feather + 1)
        return alpha

    def composite(
        self,
        background: np.ndarray,
        avatar_rgb: np.ndarray,
        avatar_depth: np.ndarray,
        avatar_mask: np.ndarray,
        scene_depth: Optional[np.ndarray],
        occluder_mask: Optional[np.ndarray],
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Alpha-blend the visible avatar over the background.

        Args:
            background (np.ndarray): uint8 (T, H, W, 3).
            avatar_rgb (np.ndarray): uint8 (T, H, W, 3).
            avatar_depth (np.ndarray): float (T, H, W).
            avatar_mask (np.ndarray): bool (T, H, W).
            scene_depth (np.ndarray, optional): float (T, H, W).
            occluder_mask (np.ndarray, optional): bool (T, H, W).

        Returns:
            tuple[np.ndarray, np.ndarray]: frames uint8 (T, H, W, 3) and
            ``non_sensitive`` bool (T, H, W).
        """
        alpha = self.alpha(
            self.visibility(avatar_depth, avatar_mask, scene_depth,
                            occluder_mask))
        out = background.copy()
        for t in range(background.shape[0]):
            a = alpha[t][..., None]
            if not a.any():
                continue
            blend = a * avatar_rgb[t] + (1 - a) * background[t]
            out[t] = np.clip(np.rint(blend), 0, 255).astype(np.uint8)
        return out, alpha >= self.mask_threshold

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(feather={self.feather}, '
                f'mask_threshold={self.mask_threshold}, '
                f'depth_tolerance={self.depth_tolerance})')
