import numpy as np
import pytest

from mmprivact.anonymization.inpainting import OpenCVInpainter, \
    build_inpainter


def gradient_clip(num_frames=2, height=32, width=40):
    yy, xx = np.mgrid[:height, :width]
    frame = np.stack([3 * xx, 4 * yy, 2 * xx + 2 * yy + 20], -1)
    return np.repeat(frame[None].astype(np.uint8), num_frames, axis=0)


@pytest.mark.parametrize('method', ['telea', 'ns'])
def test_smooth_gradient_restored_outside_unchanged(method):
    clean = gradient_clip()
    hole = np.zeros(clean.shape[:3], bool)
    hole[0, 10:17, 12:20] = True
    hole[1, 20:26, 5:9] = True
    frames = clean.copy()
    frames[hole] = (255, 0, 255)
    out = OpenCVInpainter(method=method, radius=3)(frames, hole)
    assert out.dtype == np.uint8 and out.shape == frames.shape
    np.testing.assert_array_equal(out[~hole], frames[~hole])
    err = np.abs(out.astype(int) - clean.astype(int))[hole]
    # Gradient slopes are up to 4 levels/pixel; the magenta fill was off by
    # up to 255.
    assert err.max() <= 12, err.max()
    assert err.mean() <= 4, err.mean()


def test_dilate_fills_the_grown_hole_only():
    clean = gradient_clip(num_frames=1)
    hole = np.zeros(clean.shape[:3], bool)
    hole[0, 12:18, 15:22] = True
    frames = clean.copy()
    # The person's colour reaches one pixel beyond the mask.
    frames[0, 11:19, 14:23] = (255, 0, 255)
    out = OpenCVInpainter(dilate=2)(frames, hole)
    grown = np.zeros_like(hole)
    yy, xx = np.mgrid[:32, :40]
    for y, x in zip(*np.nonzero(hole[0])):
        grown[0] |= (yy - y)**2 + (xx - x)**2 <= 4
    np.testing.assert_array_equal(out[~grown], frames[~grown])
    assert not (out == (255, 0, 255)).all(-1).any()
    err = np.abs(out.astype(int) - clean.astype(int))[grown]
    assert err.max() <= 16, err.max()
    assert err.mean() <= 5, err.mean()


def test_no_hole_returns_equal_copy_and_errors():
    frames = gradient_clip()
    hole = np.zeros(frames.shape[:3], bool)
    out = build_inpainter(dict(type='OpenCVInpainter'))(frames, hole)
    np.testing.assert_array_equal(out, frames)
    assert out is not frames
    with pytest.raises(ValueError, match='method'):
        OpenCVInpainter(method='fast')
    with pytest.raises(ValueError, match='radius'):
        OpenCVInpainter(radius=0)
    with pytest.raises(ValueError, match='dilate'):
        OpenCVInpainter(dilate=-1)
