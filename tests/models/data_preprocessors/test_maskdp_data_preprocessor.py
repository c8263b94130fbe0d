"""MaskDPDataPreprocessor builds the masked twin from the pipeline's mask."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS, MODELS
from mmaction.structures import ActionDataSample
from mmprivact.models.data_preprocessors import (PublicTextureBank,
                                                 make_public_texture)

B, N, T, H, W = 3, 2, 4, 8, 8
KEYS = ('a/v0.mp4', 'a/v1.mp4', 'b/v2.mp4')


def _build(**kwargs):
    init_default_scope('mmaction')
    return MODELS.build(dict(type='MaskDPDataPreprocessor',
                             mean=[127.5] * 3, std=[64.0] * 3,
                             format_shape='NCTHW', **kwargs))


def _data(seed=0, keys=None):
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for i in range(B):
        inputs.append(torch.randint(0, 256, (N, 3, T, H, W), generator=g,
                                    dtype=torch.uint8))
        s = ActionDataSample().set_gt_label(i)
        s.set_metainfo(dict(privacy_mask=rng.random((N, T, H, W)) < 0.5,
                            filename=(keys or KEYS)[i]))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def test_maskdp_training_batch_is_full_then_masked():
    pre = _build(mode='maskdp', fill_value=0.0)
    data = _data()
    masks = torch.stack([torch.as_tensor(s.metainfo['privacy_mask'])
                         for s in data['data_samples']])
    out = pre(data, training=True)
    x, samples = out['inputs'], out['data_samples']
    assert x.shape == (2 * B, N, 3, T, H, W) and len(samples) == 2 * B
    full, twin = x[:B], x[B:]
    keep = masks.unsqueeze(2).expand_as(full)
    assert torch.equal(twin[keep], full[keep])
    assert (twin[~keep] == 0).all()
    assert [s.gt_label.item() for s in samples] == [0, 1, 2, 0, 1, 2]
    layout = pre.last_layout
    assert layout['video_index'].tolist() == [0, 1, 2, 0, 1, 2]
    assert layout['masked'].tolist() == [False] * B + [True] * B


@pytest.mark.parametrize('fill', ['constant', 'public_texture'])
def test_separate_masked_view_is_the_same_twin_written_over_the_input(fill):
    """With separate_masked_view (MaskDPOptimWrapper's fast path) the model
    gets the full view; the masked view comes later, equal to the batched
    twin, in the same tensor (one batch of inputs less), once."""
    batched = _build(mode='maskdp', fill=fill)(_data(), training=True)
    pre = _build(mode='maskdp', fill=fill)
    pre.separate_masked_view = True
    out = pre(_data(), training=True)
    x, samples = out['inputs'], out['data_samples']
    assert x.shape == (B, N, 3, T, H, W) and len(samples) == B
    assert torch.equal(x, batched['inputs'][:B])
    assert pre.last_layout['masked'].tolist() == [False] * B + [True] * B
    view = pre.take_masked_view()
    assert torch.equal(view['inputs'], batched['inputs'][B:])
    assert view['inputs'].data_ptr() == x.data_ptr()
    assert [s.gt_label.item() for s in view['data_samples']] == [0, 1, 2]
    assert all(a is not b for a, b in zip(view['data_samples'], samples))
    assert pre.take_masked_view() is None


def test_separate_masked_view_leaves_a_shared_input_alone(monkeypatch):
    """A batch that shares memory with the caller's inputs is not
    overwritten (MMAction2's own preprocess always copies; a subclass or
    another version might not)."""
    from mmaction.models import ActionDataPreprocessor
    monkeypatch.setattr(ActionDataPreprocessor, 'preprocess',
                        lambda self, inputs, samples, training=False:
                        (inputs[0].unsqueeze(0), samples))
    pre = _build(mode='maskdp')
    pre.separate_masked_view = True
    data = _data()
    video = data['inputs'][0].float()
    before = video.clone()
    batch, _ = pre.preprocess([video], data['data_samples'][:1], True)
    view = pre.take_masked_view()
    assert torch.equal(video, before)
    assert view['inputs'].data_ptr() != batch.data_ptr()
    assert not torch.equal(view['inputs'], batch)  # it is the masked view


def test_masked_view_ignores_the_sensitive_pixels():
    """x_ns is a function of the non-sensitive part only."""
    pre = _build(mode='maskdp')
    a = _data(seed=1)
    b = _data(seed=1)
    for xa, xb, s in zip(a['inputs'], b['inputs'], b['data_samples']):
        sensitive = ~torch.as_tensor(s.metainfo['privacy_mask'])
        xb.permute(0, 2, 3, 4, 1)[sensitive] = 255 - xa.permute(
            0, 2, 3, 4, 1)[sensitive]
    out_a = pre(a, training=True)['inputs']
    out_b = pre(b, training=True)['inputs']
    assert not torch.equal(out_a[:B], out_b[:B])
    assert torch.equal(out_a[B:], out_b[B:])


@pytest.mark.parametrize('mode', ['none', 'dpsgd'])
def test_other_modes_pass_through(mode):
    pre = _build(mode=mode)
    out = pre(_data(), training=True)
    assert out['inputs'].shape[0] == B
    assert pre.last_layout['masked'].sum() == 0


def test_mask_at_test_time_is_an_option():
    data = _data()
    plain = _build(mode='maskdp')(data, training=False)['inputs']
    masked = _build(mode='maskdp', mask_at_test=True)(
        _data(), training=False)['inputs']
    assert plain.shape == masked.shape == (B, N, 3, T, H, W)
    assert (masked == 0).sum() > (plain == 0).sum()


def test_missing_mask_says_how_to_fix():
    data = _data()
    data['data_samples'][1] = ActionDataSample().set_gt_label(1)
    with pytest.raises(KeyError, match='LoadPrivacyMask'):
        _build(mode='maskdp')(data, training=True)


def test_blending_is_refused_for_dp():
    with pytest.raises(ValueError, match='blending'):
        _build(mode='dpsgd',
               blending=dict(type='RandomBatchAugment',
                             augments=dict(type='MixupBlending',
                                           num_classes=3, alpha=0.2)))


def _real_batch(root, meta_keys=('img_shape', 'privacy_mask')):
    init_default_scope('mmaction')
    pipeline = [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
        dict(type='DecordDecode'),
        dict(type='LoadPrivacyMask'),
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='SplitPrivacyMask'),
        dict(type='PackActionInputs', meta_keys=meta_keys),
    ]
    ds = DATASETS.build(dict(type='CheckedVideoDataset',
                             data_root=str(root), ann_file='train.txt',
                             data_prefix=dict(video=''), pipeline=pipeline))
    return pseudo_collate([ds[i] for i in range(4)])


def test_real_pipeline_delivers_aligned_masks(tiny_synthetic):
    """Synthetic videos -> pipeline with the mask transforms -> twin."""
    batch = _real_batch(tiny_synthetic)
    out = _build(mode='maskdp')(batch, training=True)
    x = out['inputs']
    assert x.shape == (8, 1, 3, 4, 32, 32)
    twin_zero = (x[4:] == 0).all(2)  # filled pixels
    share = twin_zero.float().mean().item()
    # The figure (non-sensitive) covers a small part of each frame.
    assert 0.6 < share < 0.995


def _texture(seed, key, field='filename'):
    """Expected fill, (3, H, W), normalised as _build does."""
    image = make_public_texture(seed, f'{field}:{key}', H, W)
    return (torch.from_numpy(image).permute(2, 0, 1).float() - 127.5) / 64


def _twin(pre, data):
    return pre(data, training=True)['inputs'][B:]


def test_public_texture_replaces_only_sensitive_pixels():
    pre = _build(mode='maskdp', fill='public_texture', fill_seed=3)
    data = _data()
    masks = torch.stack([torch.as_tensor(s.metainfo['privacy_mask'])
                         for s in data['data_samples']])
    x = pre(data, training=True)['inputs']
    full, twin = x[:B], x[B:]
    keep = masks.unsqueeze(2).expand_as(full)
    assert torch.equal(twin[keep], full[keep])
    expected = torch.stack([_texture(3, k) for k in KEYS])
    expected = expected[:, None, :, None].expand_as(twin)
    assert torch.equal(twin[~keep], expected[~keep])
    assert (twin[~keep] != 0).float().mean() > 0.9  # not the constant
    assert pre.fill_description == 'public_texture(seed=3)'
    assert _build().fill_description == 'constant(0.0)'


def test_public_texture_is_in_the_inputs_units():
    """A frame equal to the texture (uint8 RGB) normalises to the fill."""
    pre = _build(mode='maskdp', fill='public_texture')
    data = _data()
    for i, key in enumerate(KEYS):
        image = make_public_texture(0, f'filename:{key}', H, W)
        frame = torch.from_numpy(image).permute(2, 0, 1)[None, :, None]
        data['inputs'][i] = frame.expand(N, 3, T, H, W).contiguous()
    x = pre(data, training=True)['inputs']
    assert torch.equal(x[:B], x[B:])


def test_public_texture_is_deterministic_and_record_free():
    """Same (seed, key): same fill whatever the sensitive pixels are."""
    a, b = _data(seed=1), _data(seed=1)
    for xa, xb, s in zip(a['inputs'], b['inputs'], b['data_samples']):
        sensitive = ~torch.as_tensor(s.metainfo['privacy_mask'])
        xb.permute(0, 2, 3, 4, 1)[sensitive] = 255 - xa.permute(
            0, 2, 3, 4, 1)[sensitive]
    twin_a = _twin(_build(fill='public_texture', fill_seed=5), a)
    twin_b = _twin(_build(fill='public_texture', fill_seed=5), b)
    assert torch.equal(twin_a, twin_b)
    # Same again in a later "epoch" (cached) and with a new seed.
    pre = _build(fill='public_texture', fill_seed=5)
    assert torch.equal(_twin(pre, _data(seed=1)), twin_a)
    assert torch.equal(_twin(pre, _data(seed=1)), twin_a)
    other = _twin(_build(fill='public_texture', fill_seed=6), _data(seed=1))
    assert not torch.equal(other, twin_a)


def test_different_videos_get_different_textures():
    pre = _build(fill='public_texture')
    x = torch.zeros(B, N, 3, T, H, W)
    fills = pre.public_fill(x, _data()['data_samples'])
    assert fills.shape == (B, 1, 3, 1, H, W)
    for i in range(B):
        for j in range(i):
            assert not torch.equal(fills[i], fills[j])
    # The key, not the position in the batch, picks the texture.
    swapped = pre.public_fill(x, _data(keys=KEYS[::-1])['data_samples'])
    assert torch.equal(swapped, fills.flip(0))


def test_public_texture_is_static_over_frames_and_clips():
    pre = _build(mode='maskdp', fill='public_texture')
    data = _data()
    for s in data['data_samples']:
        s.set_metainfo(dict(privacy_mask=np.zeros((N, T, H, W), bool)))
    twin = _twin(pre, data)
    assert torch.equal(twin, twin[:, :1, :, :1].expand_as(twin))
    assert twin.std(dim=(-1, -2)).min() > 0  # a texture, not a colour


def test_public_texture_with_2d_inputs():
    """NCHW batches (B, N*T, C, H, W) get the same per-video texture."""
    init_default_scope('mmaction')
    pre = MODELS.build(dict(type='MaskDPDataPreprocessor', mean=[127.5] * 3,
                            std=[64.0] * 3, format_shape='NCHW',
                            fill='public_texture', fill_seed=3))
    rng = np.random.default_rng(0)
    inputs, samples = [], []
    for i in range(B):
        inputs.append(torch.randint(0, 256, (N * T, 3, H, W),
                                    dtype=torch.uint8))
        s = ActionDataSample().set_gt_label(i)
        s.set_metainfo(dict(privacy_mask=rng.random((N * T, H, W)) < 0.5,
                            filename=KEYS[i]))
        samples.append(s)
    masks = torch.stack([torch.as_tensor(s.privacy_mask) for s in samples])
    x = pre(dict(inputs=inputs, data_samples=samples), training=True)[
        'inputs']
    full, twin = x[:B], x[B:]
    keep = masks.unsqueeze(2).expand_as(full)
    assert torch.equal(twin[keep], full[keep])
    expected = torch.stack([_texture(3, k) for k in KEYS])[:, None]
    assert torch.equal(twin[~keep], expected.expand_as(twin)[~keep])


def test_sample_idx_is_the_fallback_key():
    pre = _build(fill='public_texture')
    data = _data()
    for i, s in enumerate(data['data_samples']):
        del s.filename
        s.set_metainfo(dict(sample_idx=i))
    fills = pre.public_fill(torch.zeros(B, N, 3, T, H, W),
                            data['data_samples'])
    assert torch.equal(fills[1, 0, :, 0], _texture(0, 1, 'sample_idx'))


def test_public_texture_without_a_key_says_how_to_fix():
    data = _data()
    del data['data_samples'][1].filename
    with pytest.raises(KeyError, match=r'PackActionInputs\(meta_keys'):
        _build(fill='public_texture')(data, training=True)
    # The constant fill needs no key.
    _build()(data, training=True)


@pytest.mark.parametrize('kwargs,match', [
    (dict(fill='noise'), "fill must be one of .*'public_texture'"),
    (dict(fill='public_texture', fill_seed=1.5), 'fill_seed'),
])
def test_bad_fill_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _build(**kwargs)


def test_texture_cache_is_bounded_lru():
    bank = PublicTextureBank(seed=0, max_entries=2)
    first = bank.texture('filename:a', 5, 7)
    assert first.shape == (5, 7, 3) and first.dtype == np.uint8
    assert bank.texture('filename:a', 5, 7) is first
    bank.texture('filename:b', 5, 7)
    bank.texture('filename:a', 5, 7)  # a is now the most recent
    bank.texture('filename:c', 5, 7)  # evicts b
    assert len(bank) == 2
    assert bank.texture('filename:a', 5, 7) is first
    np.testing.assert_array_equal(bank.texture('filename:a', 2, 2),
                                  make_public_texture(0, 'filename:a', 2, 2))


def test_real_pipeline_public_texture_per_video_file(tiny_synthetic):
    """VideoDataset's filename (in meta_keys) keys the texture."""
    meta_keys = ('img_shape', 'privacy_mask', 'filename')
    pre = _build(mode='maskdp', fill='public_texture')
    fills = []
    for _ in range(2):  # two "epochs": other frames, same textures
        batch = _real_batch(tiny_synthetic, meta_keys)
        masks = torch.stack([torch.as_tensor(s.privacy_mask)
                             for s in batch['data_samples']])
        x = pre(batch, training=True)['inputs']
        fill = pre.public_fill(x[4:], batch['data_samples'])
        sensitive = ~masks.unsqueeze(2).expand_as(x[4:])
        assert torch.equal(x[4:][sensitive],
                           fill.expand_as(x[4:])[sensitive])
        fills.append(fill)
    assert torch.equal(fills[0], fills[1])
    assert not torch.equal(fills[0][0], fills[0][1])
