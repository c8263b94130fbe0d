"""Properties of the MaskDP / DP-SGD aggregation step."""
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mmprivact.privacy import (clip_per_video, masked_dp_aggregate,
                               privatize_clipped_sum, sum_rows_per_video)

SHAPES = [(3, ), (2, 4), (1, 2, 2)]
SETTINGS = settings(max_examples=60, deadline=None)


def _batch(seed, num_videos, rows_per_video, scale):
    """Random per-row gradients, in float64: the bounds are properties of
    the mechanism's arithmetic, and in float32 the rounding of sum(h_i)
    (magnitude ~scale) alone can exceed a relative tolerance on C (seen:
    0.100011 for C = 0.1 next to sums of ~300)."""
    g = torch.Generator().manual_seed(seed)
    video_index = torch.arange(num_videos).repeat_interleave(rows_per_video)
    rows = len(video_index)
    full = [torch.randn((rows, ) + s, generator=g, dtype=torch.float64) *
            scale for s in SHAPES]
    masked = [torch.randn((rows, ) + s, generator=g, dtype=torch.float64) *
              scale for s in SHAPES]
    return full, masked, video_index


def _aggregate(full, masked, video_index, num_videos, mode='maskdp', C=1.0):
    out, _ = masked_dp_aggregate(
        grads_full=full, grads_masked=masked if mode == 'maskdp' else None,
        video_index=video_index, num_videos=num_videos, max_grad_norm=C,
        noise_multiplier=1.0, expected_batch_size=1.0, mode=mode,
        add_noise=False)
    return out


def _dist(a, b):
    return math.sqrt(sum(float((x - y).pow(2).sum()) for x, y in zip(a, b)))


common = dict(seed=st.integers(0, 2**31 - 1), num_videos=st.integers(1, 4),
              rows=st.integers(1, 3), scale=st.floats(0.01, 100.0),
              C=st.floats(0.1, 10.0))


@SETTINGS
@given(**common)
def test_clipped_terms_are_bounded(seed, num_videos, rows, scale, C):
    full, _, idx = _batch(seed, num_videos, rows, scale)
    per_video = [sum_rows_per_video(g, idx, num_videos) for g in full]
    clipped, norms = clip_per_video(per_video, C)
    sq = sum(c.reshape(num_videos, -1).pow(2).sum(1) for c in clipped)
    assert (sq.sqrt() <= C * (1 + 1e-9)).all()
    # Terms within the bound are left untouched.
    small = norms <= C
    for c, g in zip(clipped, per_video):
        assert torch.allclose(c[small], g[small])


@SETTINGS
@given(victim=st.integers(0, 3), **common)
def test_maskdp_sensitivity_of_the_sensitive_part(seed, num_videos, rows,
                                                  scale, C, victim):
    victim %= num_videos
    full, masked, idx = _batch(seed, num_videos, rows, scale)
    base = _aggregate(full, masked, idx, num_videos, C=C)
    rows_of_victim = idx == victim
    # Replace the sensitive part arbitrarily: only the full view changes.
    g = torch.Generator().manual_seed(seed + 1)
    replaced = [f.clone() for f in full]
    for f in replaced:
        f[rows_of_victim] = torch.randn(
            f[rows_of_victim].shape, generator=g,
            dtype=torch.float64) * scale * 10
    assert _dist(base, _aggregate(replaced, masked, idx, num_videos,
                                  C=C)) <= 2 * C * (1 + 1e-9)
    # Remove it (the full view becomes the masked view).
    removed = [f.clone() for f in full]
    for f, h in zip(removed, masked):
        f[rows_of_victim] = h[rows_of_victim]
    assert _dist(base, _aggregate(removed, masked, idx, num_videos,
                                  C=C)) <= C * (1 + 1e-9)


@SETTINGS
@given(victim=st.integers(0, 3), **common)
def test_dpsgd_sensitivity_of_a_whole_video(seed, num_videos, rows, scale, C,
                                            victim):
    victim %= num_videos
    full, _, idx = _batch(seed, num_videos, rows, scale)
    base = _aggregate(full, None, idx, num_videos, mode='dpsgd', C=C)
    g = torch.Generator().manual_seed(seed + 2)
    changed = [f.clone() for f in full]
    for f in changed:
        f[idx == victim] = torch.randn(
            f[idx == victim].shape, generator=g,
            dtype=torch.float64) * scale * 10
    assert _dist(base, _aggregate(changed, None, idx, num_videos,
                                  mode='dpsgd', C=C)) <= 2 * C * (1 + 1e-9)
    keep = idx != victim
    removed_idx = idx[keep]
    removed_idx = removed_idx - (removed_idx > victim).long()
    removed = _aggregate([f[keep] for f in full], None, removed_idx,
                         num_videos - 1, mode='dpsgd', C=C) \
        if num_videos > 1 else [torch.zeros(s, dtype=torch.float64)
                                for s in SHAPES]
    assert _dist(base, removed) <= C * (1 + 1e-9)


def test_matches_a_plain_per_video_loop():
    full, masked, idx = _batch(7, 3, 2, 3.0)
    C = 2.0
    ours = _aggregate(full, masked, idx, 3, C=C)
    expected = [torch.zeros(s, dtype=torch.float64) for s in SHAPES]
    for v in range(3):
        g = [f[idx == v].sum(0) for f in full]
        h = [m[idx == v].sum(0) for m in masked]
        d = [a - b for a, b in zip(g, h)]
        norm = math.sqrt(sum(float(x.pow(2).sum()) for x in d))
        f = min(1.0, C / norm)
        for k in range(len(SHAPES)):
            expected[k] += h[k] + d[k] * f
    for a, b in zip(ours, expected):
        assert torch.allclose(a, b, atol=1e-5)


def test_rows_of_one_video_are_one_privacy_unit():
    full, masked, idx = _batch(3, 2, 3, 5.0)
    merged_full = [sum_rows_per_video(f, idx, 2) for f in full]
    merged_masked = [sum_rows_per_video(m, idx, 2) for m in masked]
    a = _aggregate(full, masked, idx, 2, C=0.5)
    b = _aggregate(merged_full, merged_masked, torch.arange(2), 2, C=0.5)
    for x, y in zip(a, b):
        assert torch.allclose(x, y, atol=1e-5)


def test_noise_has_the_stated_scale_even_on_an_empty_batch():
    sigma, C, expected = 1.7, 0.8, 16.0
    shape = (400, 500)
    out, stats = masked_dp_aggregate(
        grads_full=[torch.zeros((0, ) + shape)],
        grads_masked=[torch.zeros((0, ) + shape)],
        video_index=torch.zeros(0, dtype=torch.long), num_videos=0,
        max_grad_norm=C, noise_multiplier=sigma, expected_batch_size=expected,
        generator=torch.Generator().manual_seed(0))
    std = sigma * C / expected
    assert out[0].std().item() == pytest.approx(std, rel=0.01)
    assert abs(out[0].mean().item()) < 4 * std / math.sqrt(out[0].numel())
    assert stats == dict(clip_fraction=0.0, mean_norm=0.0)


def test_mode_and_inputs_must_agree():
    full, masked, idx = _batch(0, 2, 1, 1.0)
    kw = dict(grads_full=full, video_index=idx, num_videos=2,
              max_grad_norm=1.0, noise_multiplier=1.0,
              expected_batch_size=2.0)
    with pytest.raises(ValueError, match='grads_masked'):
        masked_dp_aggregate(grads_masked=None, mode='maskdp', **kw)
    with pytest.raises(ValueError, match='grads_masked'):
        masked_dp_aggregate(grads_masked=masked, mode='dpsgd', **kw)
    with pytest.raises(ValueError, match='mode'):
        masked_dp_aggregate(grads_masked=masked, mode='none', **kw)


@pytest.mark.parametrize('bad', [dict(max_grad_norm=0.0),
                                 dict(noise_multiplier=-1.0),
                                 dict(expected_batch_size=0.0)])
def test_bad_noise_arguments_are_refused_on_both_paths(bad):
    full, masked, idx = _batch(0, 2, 1, 1.0)
    kw = dict(max_grad_norm=1.0, noise_multiplier=1.0,
              expected_batch_size=2.0)
    kw.update(bad)
    with pytest.raises(ValueError, match='must be > 0'):
        masked_dp_aggregate(grads_full=full, grads_masked=masked,
                            video_index=idx, num_videos=2, **kw)
    with pytest.raises(ValueError, match='must be > 0'):
        privatize_clipped_sum([torch.zeros(3)], torch.zeros(2), **kw)
