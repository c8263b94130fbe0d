"""The privacy mask stays pixel-aligned with the frames through MMAction2's
sampling and geometric transforms, and is conservative at boundaries."""
import copy

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmaction.registry import TRANSFORMS
from mmprivact.datasets.transforms import (LoadPrivacyMask, SplitPrivacyMask,
                                           privacy_mask_path)

T, H, W = 12, 48, 64

GEOMETRIC = {
    'Resize': [dict(type='Resize', scale=(37, 29), keep_ratio=False)],
    'ResizeShort': [dict(type='Resize', scale=(-1, 100))],
    'RandomResizedCrop': [dict(type='RandomResizedCrop'),
                          dict(type='Resize', scale=(32, 32),
                               keep_ratio=False)],
    'MultiScaleCrop': [dict(type='MultiScaleCrop', input_size=32,
                            scales=(1, 0.875, 0.75), random_crop=False,
                            max_wh_scale_gap=1)],
    'CenterCrop': [dict(type='CenterCrop', crop_size=30)],
    'ThreeCrop': [dict(type='ThreeCrop', crop_size=48)],  # spans H
    'TenCrop': [dict(type='TenCrop', crop_size=36)],
    'Flip': [dict(type='Flip', flip_ratio=1.0)],
    'Chain': [dict(type='Resize', scale=(-1, 40)),
              dict(type='RandomResizedCrop', area_range=(0.3, 0.9)),
              dict(type='Resize', scale=(24, 24), keep_ratio=False),
              dict(type='Flip', flip_ratio=0.5)],
}


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    """Masks that differ per frame; frame t's channel 0 *is* its mask."""
    root = tmp_path_factory.mktemp('mask_video')
    (root / 'videos').mkdir()
    (root / 'masks').mkdir()
    rng = np.random.default_rng(0)
    masks = np.zeros((T, H, W), bool)
    for t in range(T):
        masks[t, 8:30, 4 + 3 * t:24 + 3 * t] = True  # moves with t
        masks[t] |= np.kron(rng.random((H // 4, W // 4)) < 0.2,
                            np.ones((4, 4), bool))
    frames = rng.integers(0, 256, (T, H, W, 3)).astype(np.uint8)
    frames[..., 0] = np.where(masks, 0, 255)  # encodes the mask
    # Channel 1 is non-zero only on sensitive pixels, to test leakage.
    frames[..., 1] = np.where(masks, 0, rng.integers(1, 256, (T, H, W)))
    np.savez_compressed(root / 'masks' / 'clip.npz', mask=masks)
    return dict(filename=str(root / 'videos' / 'clip.mp4'), frames=frames,
                masks=masks)


def _pipeline(steps):
    init_default_scope('mmaction')
    return [TRANSFORMS.build(s) for s in steps]


def _run(video, steps, seed=0, split=None):
    """SampleFrames, decoding, LoadPrivacyMask, ``steps``, SplitPrivacyMask.
    """
    np.random.seed(seed)  # MMAction2's random transforms use np.random
    results = dict(filename=video['filename'], total_frames=T, start_index=0,
                   modality='RGB')
    for t in _pipeline([dict(type='SampleFrames', clip_len=4,
                             frame_interval=2, num_clips=2)]):
        results = t(results)
    # Decoding, as DecordDecode does: frames at frame_inds.
    results['imgs'] = [video['frames'][i] for i in results['frame_inds']]
    results['original_shape'] = results['img_shape'] = (H, W)
    for t in _pipeline([dict(type='LoadPrivacyMask')] + steps +
                       [split or dict(type='SplitPrivacyMask')]):
        results = t(results)
    return results


@pytest.mark.parametrize('name', sorted(GEOMETRIC))
def test_mask_stays_aligned(video, name):
    for seed in range(3):
        res = _run(video, copy.deepcopy(GEOMETRIC[name]), seed)
        imgs, mask = np.stack(res['imgs']), res['privacy_mask']
        assert imgs.shape[-1] == 3 and mask.shape == imgs.shape[:3]
        assert mask.any() and (~mask).any()
        # Same operations on the same values: the frames' own encoding of
        # the mask (channel 0 == 0 where non-sensitive) matches exactly.
        np.testing.assert_array_equal(mask, imgs[..., 0] == 0)
        # Conservative: no sensitive content inside the non-sensitive mask.
        assert (imgs[..., 1][mask] == 0).all()


def test_without_geometry_the_mask_is_the_sampled_frames(video):
    res = _run(video, [])
    np.testing.assert_array_equal(res['privacy_mask'],
                                  video['masks'][res['frame_inds']])
    assert res['imgs'][0].dtype == np.float32


def test_erode_shrinks_only(video):
    res = _run(video, [])
    r = dict(imgs=[np.dstack([np.zeros((H, W, 3), np.float32),
                              (~m).astype(np.float32) * 255])
                   for m in res['privacy_mask']])
    out = SplitPrivacyMask(erode=1)(r)['privacy_mask']
    assert (out <= res['privacy_mask']).all()
    assert out.sum() < res['privacy_mask'].sum()


def test_mask_path_rule_and_errors(tmp_path, video):
    assert privacy_mask_path('/d/videos/a/b.mp4') == '/d/masks/a/b.npz'
    assert privacy_mask_path('/videos/x/videos/c.avi') == \
        '/videos/x/masks/c.npz'
    with pytest.raises(ValueError, match='video_dir'):
        privacy_mask_path('/d/clips/b.mp4')
    results = dict(filename=str(tmp_path / 'videos' / 'nope.mp4'),
                   frame_inds=np.arange(2),
                   imgs=[np.zeros((H, W, 3), np.uint8)] * 2)
    with pytest.raises(FileNotFoundError, match='nope.npz'):
        LoadPrivacyMask()(results)
    wrong = dict(results, filename=video['filename'],
                 imgs=[np.zeros((10, 10, 3), np.uint8)] * 2)
    with pytest.raises(ValueError, match='shape'):
        LoadPrivacyMask()(wrong)


def test_split_without_load_says_so():
    with pytest.raises(ValueError, match='LoadPrivacyMask'):
        SplitPrivacyMask()(dict(imgs=[np.zeros((4, 4, 3), np.uint8)]))


def test_reprs():
    assert 'mask_dir' in repr(LoadPrivacyMask())
    assert 'erode=2' in repr(SplitPrivacyMask(erode=2))


@pytest.mark.parametrize('crop', ['CenterCrop', 'ThreeCrop'])
def test_split_after_format_shape_keeps_the_model_layout(video, crop):
    steps = copy.deepcopy(GEOMETRIC[crop]) + [
        dict(type='FormatShape', input_format='NCTHW')]
    results = _run(video, steps,
                   split=dict(type='SplitPrivacyMask', erode=0))
    imgs, mask = results['imgs'], results['privacy_mask']
    views = 2 * (3 if crop == 'ThreeCrop' else 1)
    assert imgs.shape[:3] == (views, 3, 4) and mask.shape == (
        imgs.shape[0], ) + imgs.shape[2:]
    assert results['privacy_mask_formatted'] is True
    np.testing.assert_array_equal(mask, imgs[:, 0] == 0)
    assert (imgs[:, 1][mask] == 0).all()


def test_sidecar_layout_reads_the_anonymizers_masks(tmp_path, video):
    """``layout='sidecar'``: ``x.mp4`` -> ``x.privacy_mask.npz``, key
    ``non_sensitive`` (tools/anonymize_videos.py's output)."""
    from mmprivact.datasets.transforms.load_privacy_mask import \
        sidecar_mask_path
    assert sidecar_mask_path('/d/a/b.avi') == '/d/a/b.privacy_mask.npz'
    np.savez_compressed(tmp_path / 'clip.privacy_mask.npz',
                        non_sensitive=video['masks'])
    inds = np.array([0, 5, 11])

    def results(name):
        return dict(filename=str(tmp_path / name), frame_inds=inds,
                    imgs=[video['frames'][i] for i in inds])

    out = LoadPrivacyMask(layout='sidecar')(results('clip.mp4'))
    assert out['privacy_mask_path'].endswith('clip.privacy_mask.npz')
    for img, i in zip(out['imgs'], inds):
        assert ((img[..., 3] == 0) == video['masks'][i]).all()
    np.savez_compressed(tmp_path / 'other.privacy_mask.npz',
                        wrong=video['masks'])
    with pytest.raises(KeyError, match='non_sensitive'):
        LoadPrivacyMask(layout='sidecar')(results('other.mp4'))
    with pytest.raises(ValueError, match='layout'):
        LoadPrivacyMask(layout='nearby')
