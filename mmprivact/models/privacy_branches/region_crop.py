"""Square crops of frames around a mask, resampled to the frame size (in
torch, differentiable in the frames, so f_A's gradient flows through)."""
import torch
import torch.nn.functional as F


class RegionCropper:
    """Crop every frame to a square around its mask's bounding box.

    The square is centred on the box, its side the box's longer side times
    ``1 + margin`` (at least ``min_side`` of the frame's shorter side, so
    a few stray mask pixels are not blown up to a whole frame), and it is
    resampled bilinearly to the frame's size. Where it reaches past the
    frame, it is filled with ``fill``. A frame whose mask is empty is
    returned whole. The boxes come from the masks and carry no gradient;
    the crops are differentiable in the frames.

    Used by :class:`PenaltyMinimaxRecognizer` with
    ``privacy_region_crop=True``: f_B then sees the person large, wherever
    they stand, so it must tell frames apart by how the person looks and
    not by where their silhouette is, which f_A cannot change.

    Args:
        margin (float): Extra side length, as a fraction of the box's
            longer side. Defaults to 0.1.
        min_side (float): Smallest crop side, as a fraction of the frame's
            shorter side, in (0, 1]. Defaults to 0.25.
        fill (float): Value outside the frame. Defaults to 0.5 (the mid
            grey f_B sees outside the region).
    """

    def __init__(self,
                 margin: float = 0.1,
                 min_side: float = 0.25,
                 fill: float = 0.5) -> None:
        if margin < 0:
            raise ValueError(f'margin must be >= 0; got {margin!r}.')
        if not 0 < min_side <= 1:
            raise ValueError(f'min_side must be in (0, 1]; got '
                             f'{min_side!r}.')
        self.margin, self.min_side, self.fill = (float(margin),
                                                 float(min_side), float(fill))

    def boxes(self, masks: torch.Tensor) -> torch.Tensor:
        """The crop squares in pixels.

        Args:
            masks (torch.Tensor): (N, 1, H, W), nonzero on the region.

        Returns:
            torch.Tensor: (N, 3) float: centre x, centre y (pixel units,
            0 at the left / top edge) and side; the whole frame (centre
            of the frame, side 0) marks an empty mask.
        """
        if masks.dim() != 4 or masks.shape[1] != 1:
            raise ValueError(f'masks must be (N, 1, H, W); got '
                             f'{tuple(masks.shape)}.')
        on = masks[:, 0] != 0
        h, w = on.shape[-2:]

        def extent(hit: torch.Tensor, size: int):
            idx = torch.arange(size, device=hit.device)
            lo = torch.where(hit, idx, size).min(1).values
            hi = torch.where(hit, idx, -1).max(1).values + 1
            return lo.float(), hi.float()

        x0, x1 = extent(on.any(1), w)
        y0, y1 = extent(on.any(2), h)
        empty = ~on.flatten(1).any(1)
        side = torch.maximum(x1 - x0, y1 - y0) * (1 + self.margin)
        side = side.clamp(min=self.min_side * min(h, w))
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        cx = torch.where(empty, torch.full_like(cx, w / 2), cx)
        cy = torch.where(empty, torch.full_like(cy, h / 2), cy)
        side = torch.where(empty, torch.zeros_like(side), side)
        return torch.stack([cx, cy, side], 1)

    def __call__(self, frames: torch.Tensor,
                 masks: torch.Tensor) -> torch.Tensor:
        """Crops of ``frames`` around ``masks``.

        Args:
            frames (torch.Tensor): (N, C, H, W).
            masks (torch.Tensor): (N, 1, H, W), nonzero on the region.

        Returns:
            torch.Tensor: (N, C, H, W) crops.
        """
        if frames.shape[0] != masks.shape[0] or \
                frames.shape[-2:] != masks.shape[-2:]:
            raise ValueError(f'frames {tuple(frames.shape)} and masks '
                             f'{tuple(masks.shape)} must match in N, H and '
                             f'W.')
        h, w = frames.shape[-2:]
        cx, cy, side = self.boxes(masks).to(frames.dtype).unbind(1)
        empty = side == 0
        # affine_grid maps the output to [-1, 1] input coordinates
        # (align_corners=False: -1 and 1 are the frame's outer edges)
        sx = torch.where(empty, torch.ones_like(side), side / w)
        sy = torch.where(empty, torch.ones_like(side), side / h)
        theta = torch.zeros(frames.shape[0], 2, 3, dtype=frames.dtype,
                            device=frames.device)
        theta[:, 0, 0], theta[:, 0, 2] = sx, 2 * cx / w - 1
        theta[:, 1, 1], theta[:, 1, 2] = sy, 2 * cy / h - 1
        grid = F.affine_grid(theta, list(frames.shape), align_corners=False)
        # zero padding of (frames - fill) is padding with fill
        return F.grid_sample(frames - self.fill, grid, mode='bilinear',
                             padding_mode='zeros',
                             align_corners=False) + self.fill
