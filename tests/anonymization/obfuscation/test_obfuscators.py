import numpy as np
import pytest
from scipy import ndimage

from mmprivact.anonymization.obfuscation import (OBFUSCATORS,
                                                 BlackoutObfuscator,
                                                 GaussianBlurObfuscator,
                                                 PixelateObfuscator,
                                                 build_obfuscator)


def noisy_clip(seed=0, num_frames=2, height=30, width=36):
    rng = np.random.default_rng(seed)
    frames = rng.integers(1, 255, (num_frames, height, width, 3),
                          dtype=np.uint8)
    mask = np.zeros(frames.shape[:3], bool)
    mask[0, 8:20, 10:22] = True
    mask[0, 20:24, 14:17] = True  # non-convex
    mask[1, 3:9, 25:33] = True
    return frames, mask


def edt_dilation(mask, radius):
    """Independent reference: pixels within Euclidean distance `radius`."""
    return np.stack([ndimage.distance_transform_edt(~m) <= radius
                     for m in mask])


ALL = [
    dict(type='GaussianBlurObfuscator', sigma=2.0),
    dict(type='PixelateObfuscator', block_size=4),
    dict(type='BlackoutObfuscator', color=(0, 0, 0)),
]


@pytest.mark.parametrize('cfg', ALL, ids=lambda c: c['type'])
@pytest.mark.parametrize('dilate', [0, 1, 3])
def test_only_the_dilated_mask_changes(cfg, dilate):
    frames, mask = noisy_clip()
    out = build_obfuscator(dict(cfg, dilate=dilate))(frames, mask)
    assert out.dtype == np.uint8 and out.shape == frames.shape
    region = edt_dilation(mask, dilate)
    np.testing.assert_array_equal(out[~region], frames[~region])
    # And the whole region was altered (blackout: every pixel, since the
    # clip has no black pixel; others: the region as a whole).
    changed = (out != frames).any(-1)
    if cfg['type'] == 'BlackoutObfuscator':
        np.testing.assert_array_equal(changed, region)
    else:
        assert changed[region].mean() > 0.9


def test_blur_reduces_high_frequency_energy():
    frames, mask = noisy_clip()
    out = GaussianBlurObfuscator(sigma=2.0)(frames, mask)
    inner = np.stack([ndimage.binary_erosion(m, iterations=1) for m in mask])

    def laplacian_energy(clip):
        lap = np.stack([
            ndimage.laplace(clip[t, ..., c].astype(float))
            for t in range(len(clip)) for c in range(3)
        ]).reshape(len(clip), 3, *clip.shape[1:3]).transpose(0, 2, 3, 1)
        return (lap[inner]**2).mean()

    assert laplacian_energy(out) < 0.02 * laplacian_energy(frames)


def test_pixelate_blocks_are_constant_block_means():
    frames, mask = noisy_clip(height=30, width=34)  # partial border blocks
    mask[1, 26:30, 30:34] = True  # touches the partial corner block
    b = 4
    out = PixelateObfuscator(block_size=b)(frames, mask)
    for t in range(len(frames)):
        for y0 in range(0, 30, b):
            for x0 in range(0, 34, b):
                sel = mask[t, y0:y0 + b, x0:x0 + b]
                if not sel.any():
                    continue
                block = frames[t, y0:y0 + b, x0:x0 + b].reshape(-1, 3)
                ref = np.floor(block.astype(float).mean(0) + 0.5)
                got = out[t, y0:y0 + b, x0:x0 + b][sel]
                np.testing.assert_array_equal(got, np.broadcast_to(
                    ref, got.shape))


def test_blackout_colour_and_no_mask():
    frames, mask = noisy_clip()
    out = BlackoutObfuscator(color=(10, 200, 30))(frames, mask)
    assert (out[mask] == (10, 200, 30)).all()
    empty = np.zeros_like(mask)
    for cfg in ALL:
        res = build_obfuscator(cfg)(frames, empty)
        np.testing.assert_array_equal(res, frames)
        assert res is not frames


def test_registry_and_errors():
    assert {'GaussianBlurObfuscator', 'PixelateObfuscator',
            'BlackoutObfuscator'} <= set(OBFUSCATORS._classes)
    with pytest.raises(ValueError, match='sigma'):
        GaussianBlurObfuscator(sigma=0)
    with pytest.raises(ValueError, match='block_size'):
        PixelateObfuscator(block_size=0)
    with pytest.raises(ValueError, match='color'):
        BlackoutObfuscator(color=(0, 0, 256))
    with pytest.raises(ValueError, match='dilate'):
        BlackoutObfuscator(dilate=1.5)
    frames, mask = noisy_clip()
    with pytest.raises(ValueError, match=r'person_mask.*\(2, 30, 36\)'):
        BlackoutObfuscator()(frames, mask[:1])
    with pytest.raises(TypeError, match='person_mask.*bool'):
        BlackoutObfuscator()(frames, mask.astype(np.uint8))
