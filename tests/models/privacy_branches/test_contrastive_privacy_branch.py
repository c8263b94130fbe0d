"""f_B embeddings and the differentiable views it is trained on."""
import torch

from mmprivact.models.privacy_branches import (ContrastivePrivacyBranch,
                                               FrameViewAugmenter)


def test_embeddings_are_unit_norm_128d():
    branch = ContrastivePrivacyBranch()
    z = branch(torch.rand(3, 3, 32, 32))
    assert z.shape == (3, 128)
    assert torch.allclose(z.norm(dim=1), torch.ones(3), atol=1e-5)


def test_views_differ_stay_in_range_and_pass_gradients():
    torch.manual_seed(0)
    x = torch.rand(4, 3, 24, 24, requires_grad=True)
    v1, v2 = FrameViewAugmenter()(x)
    assert v1.shape == x.shape and v2.shape == x.shape
    assert v1.min() >= 0 and v1.max() <= 1
    assert not torch.allclose(v1, v2)
    (v1.sum() + v2.sum()).backward()
    assert x.grad.abs().sum() > 0


def test_full_crop_without_jitter_is_the_frame_or_its_mirror():
    torch.manual_seed(1)
    x = torch.rand(6, 3, 16, 16)
    aug = FrameViewAugmenter(scale=(1.0, 1.0), ratio=(1.0, 1.0), jitter=0,
                             grayscale_prob=0)
    v, _ = aug(x)
    for a, b in zip(v, x):
        assert torch.allclose(a, b, atol=1e-5) or torch.allclose(
            a, b.flip(-1), atol=1e-5)
