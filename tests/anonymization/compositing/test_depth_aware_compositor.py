import numpy as np
import pytest
from scipy import ndimage

from mmprivact.anonymization.compositing import (COMPOSITORS,
                                                 DepthAwareCompositor,
                                                 build_compositor)
from mmprivact.anonymization.inpainting import TemporalBackgroundInpainter

T, H, W = 2, 24, 32


def scene(seed=0):
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 100, (T, H, W, 3), dtype=np.uint8)
    avatar_rgb = rng.integers(150, 256, (T, H, W, 3), dtype=np.uint8)
    avatar_mask = np.zeros((T, H, W), bool)
    avatar_mask[0, 4:20, 6:16] = True
    avatar_mask[1, 6:22, 14:26] = True
    avatar_depth = np.where(avatar_mask, 2.0, np.inf).astype(np.float32)
    return background, avatar_rgb, avatar_depth, avatar_mask


def test_hard_composite_is_avatar_inside_background_outside():
    bg, rgb, depth, mask = scene()
    out, non_sensitive = DepthAwareCompositor(feather=0)(bg, rgb, depth, mask)
    assert out.dtype == np.uint8 and out.shape == bg.shape
    assert non_sensitive.dtype == np.bool_
    np.testing.assert_array_equal(out[mask], rgb[mask])
    np.testing.assert_array_equal(out[~mask], bg[~mask])
    np.testing.assert_array_equal(non_sensitive, mask)


def test_scene_depth_and_occluder_hide_the_avatar():
    bg, rgb, depth, mask = scene()
    scene_depth = np.full((T, H, W), np.inf, np.float32)
    scene_depth[:, 10:14, :] = 1.0  # a bar in front of the avatar (2 m)
    scene_depth[:, 16:18, :] = 3.0  # a wall behind it
    scene_depth[:, 0:2, :] = np.nan  # unknown depth: no occlusion
    occluder = np.zeros((T, H, W), bool)
    occluder[:, :, 20:23] = True
    out, non_sensitive = DepthAwareCompositor(feather=0)(
        bg, rgb, depth, mask, scene_depth=scene_depth, occluder_mask=occluder)
    hidden = np.zeros_like(mask)
    hidden[:, 10:14, :] = True
    hidden |= occluder
    visible = mask & ~hidden
    np.testing.assert_array_equal(non_sensitive, visible)
    np.testing.assert_array_equal(out[visible], rgb[visible])
    np.testing.assert_array_equal(out[~visible], bg[~visible])
    assert (mask & hidden).any() and not non_sensitive[mask & hidden].any()
    # Depth tolerance lets the avatar through a surface just in front of it.
    _, ns_tol = DepthAwareCompositor(feather=0, depth_tolerance=1.5)(
        bg, rgb, depth, mask, scene_depth=scene_depth)
    np.testing.assert_array_equal(ns_tol, mask)


@pytest.mark.parametrize('feather', [1, 2, 4])
def test_feather_band_is_at_most_feather_wide(feather):
    bg, rgb, depth, mask = scene()
    comp = DepthAwareCompositor(feather=feather)
    alpha = comp.alpha(comp.visibility(depth, mask))
    soft = (alpha > 0) & (alpha < 1)
    # Distance of each avatar pixel to the nearest non-avatar pixel.
    dist = np.stack([ndimage.distance_transform_edt(m) for m in mask])
    assert soft.any()
    assert (dist[soft] <= feather).all()
    np.testing.assert_array_equal(soft, mask & (dist <= feather))
    assert (alpha[~mask] == 0).all() and (alpha[mask & (dist > feather)] ==
                                          1).all()
    # Alpha grows inwards.
    edge = mask & (dist == 1)
    np.testing.assert_allclose(alpha[edge], 1 / (feather + 1), rtol=1e-5)
    out, non_sensitive = comp(bg, rgb, depth, mask)
    np.testing.assert_array_equal(non_sensitive, alpha >= 0.5)
    np.testing.assert_array_equal(out[~mask], bg[~mask])
    a = alpha[soft][:, None]
    expected = np.rint(a * rgb[soft] + (1 - a) * bg[soft])
    np.testing.assert_allclose(out[soft], expected, atol=1)


def test_old_silhouette_does_not_survive_anywhere():
    """The real person (magenta) is larger than the avatar; compositing over
    the inpainted background leaves none of it."""
    rng = np.random.default_rng(5)
    static = rng.integers(0, 200, (H, W, 3), dtype=np.uint8)
    num_frames = 6
    frames = np.repeat(static[None], num_frames, axis=0)
    person = np.zeros((num_frames, H, W), bool)
    for t in range(num_frames):
        person[t, 3:21, 2 + 4 * t:10 + 4 * t] = True
    frames[person] = (255, 0, 255)
    background = TemporalBackgroundInpainter()(frames, person)
    avatar_mask = np.zeros_like(person)  # thinner than the person
    avatar_mask[:, 6:18] = person[:, 6:18]
    avatar_mask[:, :, :] &= ndimage.binary_erosion(
        person, structure=np.ones((1, 1, 3)), iterations=1)
    avatar_rgb = np.zeros_like(frames)
    avatar_rgb[...] = (0, 255, 0)
    depth = np.where(avatar_mask, 2.0, np.inf).astype(np.float32)
    out, non_sensitive = DepthAwareCompositor(feather=2)(
        background, avatar_rgb, depth, avatar_mask)
    uncovered = person & ~avatar_mask
    assert uncovered.sum() > 100
    assert not (out == (255, 0, 255)).all(-1).any()
    np.testing.assert_array_equal(
        out[uncovered], np.broadcast_to(static, frames.shape)[uncovered])
    assert not non_sensitive[uncovered].any()


def test_registry_and_errors():
    comp = build_compositor(dict(type='DepthAwareCompositor', feather=3))
    assert isinstance(comp, DepthAwareCompositor) and comp.feather == 3
    assert 'DepthAwareCompositor' in COMPOSITORS
    bg, rgb, depth, mask = scene()
    with pytest.raises(ValueError, match='mask_threshold'):
        DepthAwareCompositor(mask_threshold=0)
    with pytest.raises(ValueError, match='feather'):
        DepthAwareCompositor(feather=-1)
    with pytest.raises(ValueError, match='avatar_rgb'):
        comp(bg, rgb[:, :-1], depth, mask)
    with pytest.raises(TypeError, match='avatar_depth.*float'):
        comp(bg, rgb, mask.astype(np.uint8), mask)
    with pytest.raises(ValueError, match='scene_depth'):
        comp(bg, rgb, depth, mask, scene_depth=depth[:1])
    with pytest.raises(TypeError, match='occluder_mask.*bool'):
        comp(bg, rgb, depth, mask, occluder_mask=depth)
