"""MaskDPDataPreprocessor builds the masked twin from the pipeline's mask."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS, MODELS
from mmaction.structures import ActionDataSample

B, N, T, H, W = 3, 2, 4, 8, 8


def _build(**kwargs):
    init_default_scope('mmaction')
    return MODELS.build(dict(type='MaskDPDataPreprocessor',
                             mean=[127.5] * 3, std=[64.0] * 3,
                             format_shape='NCTHW', **kwargs))


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for i in range(B):
        inputs.append(torch.randint(0, 256, (N, 3, T, H, W), generator=g,
                                    dtype=torch.uint8))
        s = ActionDataSample().set_gt_label(i)
        s.set_metainfo(dict(privacy_mask=rng.random((N, T, H, W)) < 0.5))
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


def test_real_pipeline_delivers_aligned_masks(tiny_synthetic):
    """Synthetic videos -> pipeline with the mask transforms -> twin."""
    init_default_scope('mmaction')
    pipeline = [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
        dict(type='DecordDecode'),
        dict(type='LoadPrivacyMask'),
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='SplitPrivacyMask'),
        dict(type='PackActionInputs',
             meta_keys=('img_shape', 'privacy_mask')),
    ]
    ds = DATASETS.build(dict(type='CheckedVideoDataset',
                             data_root=str(tiny_synthetic),
                             ann_file='train.txt',
                             data_prefix=dict(video=''), pipeline=pipeline))
    batch = pseudo_collate([ds[i] for i in range(4)])
    out = _build(mode='maskdp')(batch, training=True)
    x = out['inputs']
    assert x.shape == (8, 1, 3, 4, 32, 32)
    twin_zero = (x[4:] == 0).all(2)  # filled pixels
    share = twin_zero.float().mean().item()
    # The figure (non-sensitive) covers a small part of each frame.
    assert 0.6 < share < 0.995
