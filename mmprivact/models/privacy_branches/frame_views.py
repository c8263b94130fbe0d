"""Random augmented views of frames for contrastive training (in torch,
differentiable, so f_A's gradient flows through both views)."""
import math
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F


class FrameViewAugmenter:
    """SimCLR-style views of (N, 3, H, W) frames in [0, 1].

    Per frame and view: a random resized crop (area fraction in
    ``scale``, aspect ratio in ``ratio``) resampled bilinearly to the input
    size, a horizontal flip with probability 0.5, brightness / contrast /
    saturation jitter of strength ``jitter``, and grayscale with
    probability ``grayscale_prob``. All operations are differentiable in
    the frames.

    Args:
        scale (Sequence[float]): Crop area range. Defaults to (0.4, 1.0).
        ratio (Sequence[float]): Crop aspect-ratio range.
        jitter (float): Colour jitter strength (0 disables it).
        grayscale_prob (float): Probability of a grayscale view.
    """

    def __init__(self,
                 scale: Sequence[float] = (0.4, 1.0),
                 ratio: Sequence[float] = (3 / 4, 4 / 3),
                 jitter: float = 0.4,
                 grayscale_prob: float = 0.2) -> None:
        if not 0 < scale[0] <= scale[1] <= 1:
            raise ValueError(f'scale must satisfy 0 < lo <= hi <= 1; got '
                             f'{tuple(scale)}.')
        if not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'ratio must satisfy 0 < lo <= hi; got '
                             f'{tuple(ratio)}.')
        self.scale, self.ratio = tuple(scale), tuple(ratio)
        self.jitter, self.grayscale_prob = float(jitter), float(grayscale_prob)

    def _crop_flip(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        dev = x.device
        area = torch.empty(n, device=dev).uniform_(*self.scale)
        log_r = torch.empty(n, device=dev).uniform_(
            math.log(self.ratio[0]), math.log(self.ratio[1]))
        r = log_r.exp()
        w = (area * r).sqrt().clamp(max=1.0)
        h = (area / r).sqrt().clamp(max=1.0)
        cx = (torch.rand(n, device=dev) * 2 - 1) * (1 - w)
        cy = (torch.rand(n, device=dev) * 2 - 1) * (1 - h)
        flip = torch.where(torch.rand(n, device=dev) < 0.5, -1.0, 1.0)
        theta = torch.zeros(n, 2, 3, device=dev, dtype=x.dtype)
        theta[:, 0, 0] = w * flip
        theta[:, 0, 2] = cx
        theta[:, 1, 1] = h
        theta[:, 1, 2] = cy
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, mode='bilinear',
                             padding_mode='reflection', align_corners=False)

    def _colour(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        dev = x.device
        gray = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])[:, None]
        if self.jitter > 0:
            def factor():
                return 1 + (torch.rand(n, 1, 1, 1, device=dev) * 2 - 1) \
                    * self.jitter
            x = x * factor()  # brightness
            mean = gray.mean((2, 3), keepdim=True)
            x = (x - mean) * factor() + mean  # contrast
            x = (x - gray) * factor() + gray  # saturation
        if self.grayscale_prob > 0:
            g = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])[:, None]
            pick = (torch.rand(n, 1, 1, 1, device=dev) <
                    self.grayscale_prob).to(x.dtype)
            x = pick * g.expand_as(x) + (1 - pick) * x
        return x.clamp(0, 1)

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        """One random view of every frame.

        Args:
            x (torch.Tensor): (N, 3, H, W) in [0, 1].

        Returns:
            torch.Tensor: (N, 3, H, W) view in [0, 1].
        """
        return self._colour(self._crop_flip(x))

    def __call__(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Two independent views of every frame.

        Args:
            x (torch.Tensor): (N, 3, H, W) in [0, 1].

        Returns:
            tuple[torch.Tensor, torch.Tensor]: Two (N, 3, H, W) views.
        """
        return self.augment(x), self.augment(x)
