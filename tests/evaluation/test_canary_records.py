"""The canary's two versions differ exactly where their kind says, and the
WITHOUT version of a sensitive canary is its own masked view (the
sensitive part removed in MaskDP's sense), for both fills."""
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmprivact.evaluation.canary_records import (PATTERN_COLOURS,
                                                 CanaryRecords, checkerboard)


@pytest.fixture(autouse=True)
def mmaction_scope():
    import mmprivact  # noqa: F401
    init_default_scope('mmaction')


def _record(seed=0, all_public=False):
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randint(0, 256, (1, 3, 3, 10, 12), generator=g).float()
    mask = np.zeros((1, 3, 10, 12), dtype=bool)
    mask[..., 3:7, 4:9] = True  # the "figure": non-sensitive
    if all_public:
        mask[:] = True
    sample = ActionDataSample()
    sample.set_gt_label(2)
    sample.set_metainfo(dict(privacy_mask=mask, filename='videos/v1.mp4'))
    return dict(inputs=inputs, data_samples=sample), torch.from_numpy(mask)


def _preprocessor(**kwargs):
    cfg = dict(type='MaskDPDataPreprocessor', mode='maskdp',
               mean=[127.5, 100.0, 90.0], std=[64.0, 50.0, 70.0],
               format_shape='NCTHW')
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_checkerboard():
    board = checkerboard(2, 8, 8, square=2)
    assert board.shape == (3, 2, 8, 8)
    assert board[:, 0, 0, 0].tolist() == list(PATTERN_COLOURS[0])
    assert board[:, 0, 0, 2].tolist() == list(PATTERN_COLOURS[1])
    assert board[:, 1, 2, 2].tolist() == list(PATTERN_COLOURS[0])
    with pytest.raises(ValueError, match='square'):
        checkerboard(1, 4, 4, square=0)


@pytest.mark.parametrize('fill', [
    dict(fill='public_texture', fill_seed=3),
    dict(fill='constant', fill_value=0.0),
    dict(fill='constant', fill_value=0.7),
])
def test_sensitive_canary_without_version_is_its_masked_view(fill):
    pre = _preprocessor(**fill)
    record, mask = _record()
    maker = CanaryRecords(kind='sensitive', preprocessor=pre, label=5,
                          decoy_label=6)
    with_rec, without_rec, decoy = maker.build(record)
    keep = mask.unsqueeze(1).expand_as(record['inputs'])
    # Non-sensitive pixels untouched in both; the pattern fills the rest.
    for version in (with_rec, without_rec):
        assert torch.equal(version['inputs'][keep], record['inputs'][keep])
        assert int(version['data_samples'].gt_label) == 5
    board = checkerboard(3, 10, 12).unsqueeze(0)
    assert torch.equal(with_rec['inputs'][~keep], board[~keep])
    # WITHOUT: x == x_ns after the preprocessor's own normalisation.
    full, samples = pre.preprocess([without_rec['inputs']],
                                   [without_rec['data_samples']], False)
    masked = pre.masked_view(full, samples)
    assert (full - masked).abs().max() <= 1e-5
    assert maker.removed_gap <= 1e-5
    if fill['fill'] == 'public_texture' or fill['fill_value'] == 0.0:
        assert torch.equal(full, masked)  # exact, not just close
    # ... which the original record is not (its background is private).
    orig, osamples = pre.preprocess([record['inputs']],
                                    [record['data_samples']], False)
    assert (orig - pre.masked_view(orig, osamples)).abs().max() > 0.1
    # The decoy: a copy of WITHOUT (pixels, mask, key) with another label.
    assert torch.equal(decoy['inputs'], without_rec['inputs'])
    assert int(decoy['data_samples'].gt_label) == 6
    assert decoy['data_samples'].metainfo['filename'] == 'videos/v1.mp4'
    assert np.array_equal(decoy['data_samples'].metainfo['privacy_mask'],
                          without_rec['data_samples'].metainfo[
                              'privacy_mask'])
    assert decoy['inputs'] is not without_rec['inputs']
    # The input record is not modified.
    assert int(record['data_samples'].gt_label) == 2


def test_nonsensitive_canary_changes_only_public_pixels():
    pre = _preprocessor(fill='public_texture')
    record, mask = _record()
    with_rec, without_rec, decoy = CanaryRecords(
        kind='nonsensitive', preprocessor=pre, label=1,
        decoy_label=0).build(record)
    keep = mask.unsqueeze(1).expand_as(record['inputs'])
    assert torch.equal(without_rec['inputs'], record['inputs'])
    assert torch.equal(with_rec['inputs'][~keep], record['inputs'][~keep])
    assert not torch.equal(with_rec['inputs'][keep], record['inputs'][keep])
    assert torch.equal(decoy['inputs'], record['inputs'])
    assert int(decoy['data_samples'].gt_label) == 0


def test_bad_canaries_are_refused():
    pre = _preprocessor()
    with pytest.raises(ValueError, match='kind'):
        CanaryRecords(kind='background', preprocessor=pre, label=0,
                      decoy_label=1)
    with pytest.raises(TypeError, match='MaskDPDataPreprocessor'):
        CanaryRecords(kind='sensitive', preprocessor=object(), label=0,
                      decoy_label=1)
    with pytest.raises(ValueError, match='decoy_label'):
        CanaryRecords(kind='sensitive', preprocessor=pre, label=2,
                      decoy_label=2)
    record, _ = _record(all_public=True)
    with pytest.raises(ValueError, match='no sensitive pixel'):
        CanaryRecords(kind='sensitive', preprocessor=pre, label=0,
                      decoy_label=1).build(record)


def test_whole_video_sensitive_canary_is_pattern_versus_fill():
    pre = _preprocessor(fill='public_texture')
    record, _ = _record()
    maker = CanaryRecords(kind='sensitive', preprocessor=pre, label=0,
                          decoy_label=1, whole_video=True)
    with_rec, without_rec, _ = maker.build(record)
    for version in (with_rec, without_rec):
        assert not version['data_samples'].metainfo['privacy_mask'].any()
    assert torch.equal(with_rec['inputs'][0],
                       checkerboard(3, 10, 12))  # nothing of the video
    full, samples = pre.preprocess([without_rec['inputs']],
                                   [without_rec['data_samples']], False)
    assert torch.equal(full, pre.masked_view(full, samples))
    # The record's own mask is untouched.
    assert record['data_samples'].metainfo['privacy_mask'].any()
    # Whole-video non-sensitive canary: all public, pattern everywhere.
    with_rec, without_rec, _ = CanaryRecords(
        kind='nonsensitive', preprocessor=pre, label=0, decoy_label=1,
        whole_video=True).build(record)
    assert with_rec['data_samples'].metainfo['privacy_mask'].all()
    assert torch.equal(with_rec['inputs'][0], checkerboard(3, 10, 12))
    assert torch.equal(without_rec['inputs'], record['inputs'])
