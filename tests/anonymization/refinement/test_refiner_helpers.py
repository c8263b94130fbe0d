"""Refinement helpers that need no diffusers: registry, blend, crops."""
import numpy as np
import pytest

from mmprivact.anonymization.refinement import REFINERS, BaseRefiner, \
    IdentityRefiner, build_refiner
from mmprivact.anonymization.diffusers_common import round8
from mmprivact.anonymization.refinement._crops import plan_crops, resize


class ShiftRefiner(BaseRefiner):
    """Adds 100 everywhere, counts its calls."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def refine(self, frames, grown, control):
        self.calls += 1
        return (frames.astype(np.int32) + 100).clip(0, 255).astype(np.uint8)


def test_off_by_default_and_identity():
    assert build_refiner(None) is None
    ident = build_refiner(dict(type='IdentityRefiner'))
    assert isinstance(ident, IdentityRefiner) and 'IdentityRefiner' in REFINERS
    frames = np.random.default_rng(0).integers(0, 256, (2, 6, 7, 3), np.uint8)
    region = np.ones((2, 6, 7), bool)
    out = ident(frames, region)
    assert out is not frames
    np.testing.assert_array_equal(out, frames)
    with pytest.raises(ValueError, match='region'):
        ident(frames, region[:1])


def test_blend_weights_exact_values():
    refiner = ShiftRefiner(dilate=0, feather=2)
    grown = np.zeros((21, 21), bool)
    grown[5:16, 5:16] = True
    w = refiner.blend_weights(grown)
    assert w[~grown].max() == 0
    np.testing.assert_allclose(w[10, 5:11], [1 / 3, 2 / 3, 1, 1, 1, 1],
                               rtol=1e-6)
    # The image border is not an edge: a region touching it keeps w = 1.
    grown = np.zeros((9, 9), bool)
    grown[:, :4] = True
    w = refiner.blend_weights(grown)
    np.testing.assert_allclose(w[4, :4], [1, 1, 2 / 3, 1 / 3], rtol=1e-6)
    assert ShiftRefiner(feather=0).blend_weights(grown).tolist() == \
        grown.astype(np.float32).tolist()


def test_call_blends_inside_dilated_region_only():
    rng = np.random.default_rng(1)
    frames = rng.integers(0, 156, (3, 24, 30, 3), np.uint8)
    region = np.zeros(frames.shape[:3], bool)
    region[0, 8:12, 10:15] = True
    region[2, 0:3, 0:4] = True  # frame 1 has no region
    refiner = ShiftRefiner(dilate=3, feather=3)
    out = refiner(frames, region)
    from mmprivact.anonymization.array_checks import dilate_masks
    grown = dilate_masks(region, 3)
    np.testing.assert_array_equal(out[~grown], frames[~grown])
    # feather <= dilate: the region itself gets the refined pixels exactly.
    np.testing.assert_array_equal(out[region], frames[region] + 100)
    diff = out.astype(int) - frames
    assert diff[grown].min() >= 25 and diff[grown].max() == 100
    assert refiner.calls == 1
    # Empty region: a copy, and the backend is never called.
    none = np.zeros_like(region)
    out = refiner(frames, none)
    np.testing.assert_array_equal(out, frames)
    assert out is not frames and refiner.calls == 1


def test_input_checks():
    refiner = ShiftRefiner()
    frames = np.zeros((1, 8, 8, 3), np.uint8)
    with pytest.raises(TypeError, match='frames.*uint8'):
        refiner(frames.astype(np.float32), np.zeros((1, 8, 8), bool))
    with pytest.raises(TypeError, match='region.*bool'):
        refiner(frames, np.zeros((1, 8, 8), np.uint8))
    with pytest.raises(ValueError, match='control'):
        refiner(frames, np.zeros((1, 8, 8), bool), frames[:, :4])
    with pytest.raises(ValueError, match='dilate'):
        ShiftRefiner(dilate=-1)
    ShiftRefiner.requires_control = True
    try:
        with pytest.raises(ValueError, match='needs `control`'):
            refiner(frames, np.ones((1, 8, 8), bool))
    finally:
        ShiftRefiner.requires_control = False


def test_plan_crops_follow_region_with_one_size():
    grown = np.zeros((3, 100, 120), bool)
    grown[0, 10:30, 20:30] = True      # 20 x 10
    grown[2, 60:70, 90:115] = True     # 10 x 25
    crops = plan_crops(grown, pad=0.1, size=None)
    assert crops[1] is None
    # Largest padded box: h = max(20+2*2, 10+2*3), w = max(10+4, 25+6).
    assert crops[0][2:] == crops[2][2:] == (24, 31)
    for t in (0, 2):
        top, left, h, w = crops[t]
        assert 0 <= top and top + h <= 100 and 0 <= left and left + w <= 120
        inside = np.zeros_like(grown[t])
        inside[top:top + h, left:left + w] = True
        assert not (grown[t] & ~inside).any()
    # size fixes the aspect ratio; a crop larger than the frame is clamped.
    top, left, h, w = plan_crops(grown, pad=0.1, size=(64, 32))[0]
    assert (h, w) == (62, 31) and top == 0
    assert plan_crops(grown, pad=5.0, size=None)[2] == (0, 0, 100, 120)
    assert round8(3) == 8 and round8(31) == 32 and round8(27) == 24
    img = np.arange(24 * 31 * 3, dtype=np.uint8).reshape(24, 31, 3)
    assert resize(img, (24, 31)) is img
    assert resize(img, (16, 16)).shape == (16, 16, 3)
