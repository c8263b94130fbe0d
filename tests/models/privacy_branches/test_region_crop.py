"""RegionCropper: the crop square, what it shows, and its gradient."""
import pytest
import torch

from mmprivact.models.privacy_branches import RegionCropper


def block(h0, h1, w0, w1, size=32):
    """A (1, 1, size, size) mask, True on rows h0:h1 and columns w0:w1."""
    mask = torch.zeros(1, 1, size, size)
    mask[..., h0:h1, w0:w1] = 1
    return mask


def test_boxes_are_squares_around_the_mask():
    masks = torch.cat([block(4, 14, 20, 24), block(0, 2, 0, 2),
                       torch.zeros(1, 1, 32, 32)])
    boxes = RegionCropper(margin=0.5, min_side=0.25).boxes(masks)
    # 10 rows x 4 columns: centre (22, 9), side 10 * 1.5
    assert boxes[0].tolist() == [22.0, 9.0, 15.0]
    # a 2 x 2 corner grows to a quarter of the frame; empty: whole frame
    assert boxes[1].tolist() == [1.0, 1.0, 8.0]
    assert boxes[2].tolist() == [16.0, 16.0, 0.0]


def test_crop_shows_only_the_box_and_ignores_where_it_stands():
    torch.manual_seed(0)
    patch = torch.rand(1, 3, 8, 8)
    cropper = RegionCropper(margin=0.0, min_side=0.1)
    crops = []
    for top, left in ((2, 3), (20, 17)):
        frame = torch.rand(1, 3, 32, 32)  # a different room each time
        frame[..., top:top + 8, left:left + 8] = patch
        crops.append(cropper(frame, block(top, top + 8, left, left + 8)))
    assert crops[0].shape == (1, 3, 32, 32)
    # bilinear edge samples mix in the neighbours; the inner part does not
    inner = (Ellipsis, slice(3, -3), slice(3, -3))
    assert torch.allclose(crops[0][inner], crops[1][inner], atol=1e-6)
    # upsampled 4x: the patch's mean survives
    assert torch.allclose(crops[0][inner].mean(), patch[..., 1:-1,
                                                         1:-1].mean(),
                          atol=0.05)


def test_empty_mask_keeps_the_frame_and_outside_is_filled():
    frames = torch.rand(2, 3, 16, 16)
    masks = torch.cat([torch.zeros(1, 1, 16, 16), block(0, 2, 0, 2, 16)])
    out = RegionCropper(min_side=1.0, fill=0.5)(frames, masks)
    assert torch.allclose(out[0], frames[0], atol=1e-5)
    # a full-frame square centred on a corner: 3/4 of it is outside
    assert torch.allclose(out[1, :, :7, :7], torch.full((3, 7, 7), 0.5))
    assert not torch.allclose(out[1, :, 9:, 9:], torch.full((3, 7, 7), 0.5))


def test_gradient_reaches_only_the_box():
    frames = torch.rand(1, 3, 32, 32, requires_grad=True)
    RegionCropper(margin=0.0, min_side=0.1)(
        frames, block(10, 18, 10, 18)).sum().backward()
    grad = frames.grad.abs().sum(1)[0]
    assert grad[10:18, 10:18].min() > 0
    outside = grad.clone()
    outside[9:19, 9:19] = 0  # the box and the one-pixel bilinear rim
    assert float(outside.sum()) == 0


def test_bad_arguments():
    with pytest.raises(ValueError, match='margin'):
        RegionCropper(margin=-0.1)
    with pytest.raises(ValueError, match='min_side'):
        RegionCropper(min_side=0)
    with pytest.raises(ValueError, match=r'\(N, 1, H, W\)'):
        RegionCropper().boxes(torch.ones(2, 3, 8, 8))
    with pytest.raises(ValueError, match='must match'):
        RegionCropper()(torch.rand(2, 3, 8, 8), torch.ones(1, 1, 8, 8))
