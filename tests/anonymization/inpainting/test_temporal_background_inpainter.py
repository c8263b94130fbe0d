import tracemalloc

import numpy as np
import pytest

from mmprivact.anonymization.inpainting import (BaseInpainter, INPAINTERS,
                                                OpenCVInpainter,
                                                TemporalBackgroundInpainter,
                                                build_inpainter)

MAGENTA = np.array([255, 0, 255], np.uint8)


class ConstantFill(BaseInpainter):
    """Test fallback: paints the hole with one value, records its calls."""

    def __init__(self, value=7):
        super().__init__()
        self.value = value
        self.holes = []

    def inpaint(self, frames, hole):
        self.holes.append(hole.copy())
        return np.full_like(frames, self.value)


def moving_occluder_clip(num_frames=8, height=20, width=24, seed=0):
    """Static random background, a magenta square moving right, and a
    2x3 patch that is occluded in every frame."""
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 200, (height, width, 3), dtype=np.uint8)
    frames = np.repeat(background[None], num_frames, axis=0)
    hole = np.zeros((num_frames, height, width), bool)
    for t in range(num_frames):
        hole[t, 5:11, 2 + 2 * t:8 + 2 * t] = True
    hole[:, 14:16, 10:13] = True  # never uncovered
    frames[hole] = MAGENTA
    return background, frames, hole


def test_seen_pixels_restored_exactly_unseen_by_fallback():
    background, frames, hole = moving_occluder_clip()
    fallback = ConstantFill(7)
    out = TemporalBackgroundInpainter(fallback=fallback)(frames, hole)
    assert out.dtype == np.uint8 and out.shape == frames.shape
    never = hole.all(axis=0)
    seen_hole = hole & ~never[None]
    expected = np.broadcast_to(background, frames.shape)
    np.testing.assert_array_equal(out[seen_hole], expected[seen_hole])
    assert (out[hole & never[None]] == 7).all()
    np.testing.assert_array_equal(out[~hole], frames[~hole])
    # The fallback was asked to fill exactly the never-seen pixels.
    assert len(fallback.holes) == 1
    np.testing.assert_array_equal(fallback.holes[0],
                                  hole & never[None])
    assert not (out == MAGENTA).all(-1).any()


def test_default_fallback_is_opencv_and_fills_smoothly():
    height, width = 20, 24
    yy, xx = np.mgrid[:height, :width]
    background = np.stack([4 * xx, 5 * yy, 2 * xx + 3 * yy], -1).astype(
        np.uint8)
    frames = np.repeat(background[None], 4, axis=0)
    hole = np.zeros(frames.shape[:3], bool)
    hole[:, 8:11, 9:12] = True
    frames[hole] = MAGENTA
    inpainter = TemporalBackgroundInpainter()
    assert isinstance(inpainter.fallback, OpenCVInpainter)
    out = inpainter(frames, hole)
    err = np.abs(out.astype(int) - background[None].astype(int))[hole]
    assert err.max() <= 12
    np.testing.assert_array_equal(out[~hole], frames[~hole])


def test_window_limits_the_frames_used():
    height, width = 6, 8
    background = np.full((height, width, 3), 50, np.uint8)
    frames = np.repeat(background[None], 8, axis=0)
    hole = np.zeros((8, height, width), bool)
    hole[:4, 1:3, 1:3] = True  # occluded in frames 0..3 only
    frames[hole] = MAGENTA
    out = TemporalBackgroundInpainter(window=1, fallback=ConstantFill(9))(
        frames, hole)
    # Frames 0..2 see only hole frames within +-1: fallback. Frame 3 sees
    # frame 4, where the pixel is uncovered.
    assert (out[:3, 1:3, 1:3] == 9).all()
    assert (out[3, 1:3, 1:3] == 50).all()
    # Whole-clip median restores all of them.
    out_all = TemporalBackgroundInpainter(fallback=ConstantFill(9))(
        frames, hole)
    assert (out_all[:4, 1:3, 1:3] == 50).all()


@pytest.mark.parametrize('window', [None, 2])
def test_median_matches_numpy_reference(window):
    rng = np.random.default_rng(1)
    frames = rng.integers(0, 256, (7, 5, 6, 3), dtype=np.uint8)
    hole = rng.random((7, 5, 6)) < 0.5
    out = TemporalBackgroundInpainter(window=window,
                                      fallback=ConstantFill(3))(frames, hole)
    for t, y, x in zip(*np.nonzero(hole)):
        lo, hi = (0, 7) if window is None else (max(0, t - window),
                                                 t + window + 1)
        valid = ~hole[lo:hi, y, x]
        if valid.any():
            ref = np.floor(
                np.median(frames[lo:hi, y, x][valid].astype(float), axis=0) +
                0.5)
        else:
            ref = np.full(3, 3.0)
        np.testing.assert_array_equal(out[t, y, x], ref)


def test_chunking_does_not_change_the_result():
    _, frames, hole = moving_occluder_clip(num_frames=6)
    big = TemporalBackgroundInpainter(fallback=ConstantFill())(frames, hole)
    tiny = TemporalBackgroundInpainter(chunk_bytes=1,
                                       fallback=ConstantFill())(frames, hole)
    win = TemporalBackgroundInpainter(window=10, chunk_bytes=200,
                                      fallback=ConstantFill())(frames, hole)
    np.testing.assert_array_equal(big, tiny)
    np.testing.assert_array_equal(big, win)


def test_peak_memory_bounded_by_chunk_budget():
    rng = np.random.default_rng(2)
    frames = rng.integers(0, 256, (60, 48, 64, 3), dtype=np.uint8)
    hole = np.zeros(frames.shape[:3], bool)
    hole[:, 8:40, 8:56] = True
    hole[::2] = False  # every pixel uncovered in some frame
    chunk = 256 * 2**10
    inpainter = TemporalBackgroundInpainter(chunk_bytes=chunk)
    tracemalloc.start()
    inpainter(frames, hole)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Output clip + the dilated/unseen masks + one chunk (with slack); a
    # full float copy of the clip would need 8x frames.nbytes.
    assert peak < 2 * frames.nbytes + 4 * hole.nbytes + 2 * chunk


def test_dilate_removes_a_halo_the_mask_missed():
    rng = np.random.default_rng(3)
    background = rng.integers(0, 200, (16, 30, 3), dtype=np.uint8)
    frames = np.repeat(background[None], 6, axis=0)
    person = np.zeros(frames.shape[:3], bool)
    for t in range(6):
        person[t, 4:10, 3 + 4 * t:9 + 4 * t] = True
    frames[person] = MAGENTA
    tight = np.zeros_like(person)  # segmentation one pixel too small
    tight[:, 1:-1, 1:-1] = person[:, 2:, 2:] & person[:, :-2, :-2] & \
        person[:, 2:, :-2] & person[:, :-2, 2:]
    assert (person & ~tight).any()
    leaky = TemporalBackgroundInpainter(fallback=ConstantFill())(frames, tight)
    assert (leaky == MAGENTA).all(-1).any()
    out = TemporalBackgroundInpainter(dilate=2,
                                      fallback=ConstantFill())(frames, tight)
    np.testing.assert_array_equal(out, np.broadcast_to(background,
                                                       frames.shape))


def test_build_and_errors():
    inpainter = build_inpainter(
        dict(type='TemporalBackgroundInpainter', window=3,
             fallback=dict(type='OpenCVInpainter', method='ns')))
    assert isinstance(inpainter, TemporalBackgroundInpainter)
    assert inpainter.fallback.method == 'ns'
    assert 'TemporalBackgroundInpainter' in INPAINTERS
    frames = np.zeros((2, 4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match='window'):
        TemporalBackgroundInpainter(window=-1)
    with pytest.raises(ValueError, match='fallback'):
        TemporalBackgroundInpainter(fallback=None)
    with pytest.raises(TypeError, match='hole_mask.*bool'):
        inpainter(frames, np.zeros((2, 4, 4), np.uint8))
    with pytest.raises(ValueError, match=r'hole_mask.*\(2, 4, 4\)'):
        inpainter(frames, np.zeros((2, 4, 5), bool))
    with pytest.raises(TypeError, match='frames.*uint8'):
        inpainter(frames.astype(np.float32), np.zeros((2, 4, 4), bool))
    with pytest.raises(ValueError, match=r'frames.*\(T, H, W, 3\)'):
        inpainter(frames[0], np.zeros((4, 4), bool))
