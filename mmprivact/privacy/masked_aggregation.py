"""The MaskDP / DP-SGD aggregation step, on per-row gradients.

Framework-free maths (torch only), kept apart from the MMEngine wiring.
Given per-row gradients of a batch, where several rows (clips, crops) may
belong to one video, this computes the privatised update direction of
``shared/DESIGN.md``::

    maskdp: ( sum_i h_i + sum_i clip_C(g_i - h_i) + N(0, sigma^2 C^2 I) ) / E|B|
    dpsgd:  ( sum_i clip_C(g_i)                   + N(0, sigma^2 C^2 I) ) / E|B|

with ``g_i`` / ``h_i`` the gradients of video ``i`` on the full / masked
view (its rows summed: one video is one privacy unit) and ``clip_C(v) =
v * min(1, C / ||v||)`` over all parameters jointly.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from opacus.optimizers.optimizer import _generate_noise

MODES = ('maskdp', 'dpsgd')


def sum_rows_per_video(rows: torch.Tensor, video_index: torch.Tensor,
                       num_videos: int) -> torch.Tensor:
    """Sum per-row tensors into per-video tensors.

    Args:
        rows (Tensor): (R, ...) per-row values.
        video_index (Tensor): (R,) long, the video of each row.
        num_videos (int): Number of videos V.

    Returns:
        Tensor: (V, ...).
    """
    out = rows.new_zeros((num_videos, ) + tuple(rows.shape[1:]))
    return out.index_add_(0, video_index, rows)


def clip_per_video(per_video: Sequence[torch.Tensor], max_grad_norm: float
                   ) -> Tuple[List[torch.Tensor], torch.Tensor]:
    """Scale each video's gradient (over all parameters) to norm <= C.

    Args:
        per_video (Sequence[Tensor]): One (V, *param.shape) tensor per
            parameter.
        max_grad_norm (float): Clip norm C.

    Returns:
        tuple: The clipped tensors and the (V,) norms before clipping.
    """
    if not per_video:
        raise ValueError('No parameters to clip.')
    num_videos = per_video[0].shape[0]
    sq = torch.zeros(num_videos, dtype=per_video[0].dtype,
                     device=per_video[0].device)
    for g in per_video:
        sq += g.flatten(1).pow(2).sum(1)
    norms = sq.sqrt()
    factor = (max_grad_norm / (norms + 1e-12)).clamp(max=1.0)
    clipped = [g * factor.view(-1, *([1] * (g.dim() - 1))) for g in per_video]
    return clipped, norms


def masked_dp_aggregate(*,
                        grads_full: Sequence[torch.Tensor],
                        grads_masked: Optional[Sequence[torch.Tensor]],
                        video_index: torch.Tensor,
                        num_videos: int,
                        max_grad_norm: float,
                        noise_multiplier: float,
                        expected_batch_size: float,
                        mode: str = 'maskdp',
                        generator: Optional[torch.Generator] = None,
                        secure_mode: bool = False,
                        add_noise: bool = True
                        ) -> Tuple[List[torch.Tensor], Dict[str, float]]:
    """Privatised, averaged update direction of one step.

    Args:
        grads_full (Sequence[Tensor]): Per parameter, (R, *shape) per-row
            gradients on the full view (R may be 0: an empty batch).
        grads_masked (Sequence[Tensor], optional): The same on the masked
            view, row-aligned with ``grads_full``; required for ``maskdp``,
            must be None for ``dpsgd``.
        video_index (Tensor): (R,) long, video of each row, in
            ``[0, num_videos)``.
        num_videos (int): Number of videos in the batch.
        max_grad_norm (float): Clip norm C (> 0).
        noise_multiplier (float): sigma (>= 0); the noise std is sigma * C.
        expected_batch_size (float): E|B| = q * N, the divisor.
        mode (str): ``'maskdp'`` or ``'dpsgd'``.
        generator (torch.Generator, optional): Source of the noise.
        secure_mode (bool): Draw the noise with Opacus' sampling that resists
            floating-point attacks (Mironov 2012; 4 draws per value).
        add_noise (bool): False for tests of the pre-noise aggregate, and on
            every rank but one under DDP (the noise is added once in total).

    Returns:
        tuple: The update direction per parameter (shapes of the
        parameters), and statistics: ``clip_fraction`` (share of videos
        whose term was clipped), ``mean_norm`` (mean pre-clip norm).
    """
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}.')
    if (mode == 'maskdp') != (grads_masked is not None):
        raise ValueError(
            'maskdp needs the masked-view gradients (grads_masked) and dpsgd '
            f'must not get them; got mode={mode!r} with grads_masked='
            f'{"set" if grads_masked is not None else "None"}.')
    full = [sum_rows_per_video(g, video_index, num_videos)
            for g in grads_full]
    if mode == 'maskdp':
        masked = [sum_rows_per_video(h, video_index, num_videos)
                  for h in grads_masked]
        diffs = [g - h for g, h in zip(full, masked)]
    else:
        masked, diffs = None, full
    clipped, norms = clip_per_video(diffs, max_grad_norm)
    sums = []
    for k, term in enumerate(clipped):
        total = term.sum(0)
        if masked is not None:
            total = total + masked[k].sum(0)  # the public part, unclipped
        sums.append(total)
    return privatize_clipped_sum(
        sums, norms, max_grad_norm=max_grad_norm,
        noise_multiplier=noise_multiplier,
        expected_batch_size=expected_batch_size, generator=generator,
        secure_mode=secure_mode, add_noise=add_noise)


def privatize_clipped_sum(clipped_sums: Sequence[torch.Tensor],
                          norms: torch.Tensor,
                          *,
                          max_grad_norm: float,
                          noise_multiplier: float,
                          expected_batch_size: float,
                          generator: Optional[torch.Generator] = None,
                          secure_mode: bool = False,
                          add_noise: bool = True
                          ) -> Tuple[List[torch.Tensor], Dict[str, float]]:
    """Add the Gaussian noise to a clipped sum and divide by E|B|.

    The last step of :func:`masked_dp_aggregate`, shared with the fast
    path (:class:`GhostClipper`), which computes the clipped sum without
    per-sample gradients.

    Args:
        clipped_sums (Sequence[Tensor]): Per parameter, ``sum_i h_i + sum_i
            clip_C(g_i - h_i)`` (maskdp) or ``sum_i clip_C(g_i)`` (dpsgd).
        norms (Tensor): (V,) per-video norms before clipping (statistics).
        max_grad_norm, noise_multiplier, expected_batch_size, generator,
        secure_mode, add_noise: As in :func:`masked_dp_aggregate`.

    Returns:
        tuple: The update direction per parameter and the statistics of
        :func:`masked_dp_aggregate`.
    """
    if max_grad_norm <= 0 or noise_multiplier < 0 or expected_batch_size <= 0:
        raise ValueError(
            'max_grad_norm and expected_batch_size must be > 0 and '
            f'noise_multiplier >= 0, got {max_grad_norm}, '
            f'{expected_batch_size}, {noise_multiplier}.')
    out = []
    for total in clipped_sums:
        if add_noise and noise_multiplier > 0:
            total = total + _generate_noise(
                std=noise_multiplier * max_grad_norm, reference=total,
                generator=generator, secure_mode=secure_mode)
        out.append(total / expected_batch_size)
    num_videos = int(norms.numel())
    stats = dict(
        clip_fraction=float((norms > max_grad_norm).float().mean())
        if num_videos else 0.0,
        mean_norm=float(norms.mean()) if num_videos else 0.0)
    return out, stats
