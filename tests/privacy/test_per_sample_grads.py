"""Per-sample gradients equal per-example autograd; BatchNorm is refused
with the module's name, or converted on request."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmprivact.privacy.per_sample_grads import (
    check_per_sample_privacy, convert_batchnorm_to_groupnorm,
    make_per_sample, per_sample_grads)


def _assert_matches_autograd(model, x, y, rtol):
    """Hook-based per-sample gradients equal one backward per sample."""
    expected = []
    for i in range(len(x)):
        model.zero_grad()
        F.cross_entropy(model(x[i:i + 1]), y[i:i + 1],
                        reduction='sum').backward()
        expected.append([p.grad.clone() for p in model.parameters()])
    gsm = make_per_sample(model)
    F.cross_entropy(gsm(x), y, reduction='sum').backward()
    grads = per_sample_grads(gsm)
    assert len(grads) == len(expected[0])
    for k, gs in enumerate(grads):
        for i in range(len(x)):
            torch.testing.assert_close(gs[i], expected[i][k], rtol=rtol,
                                       atol=1e-5)


def _conv3d():
    return nn.Sequential(nn.Conv3d(3, 4, 3, padding=1), nn.GroupNorm(2, 4),
                         nn.ReLU(), nn.AdaptiveAvgPool3d(1), nn.Flatten(),
                         nn.Linear(4, 5)), (3, 4, 6, 6)


def _conv2d_layernorm():
    return nn.Sequential(nn.Conv2d(3, 4, 3, stride=2), nn.ReLU(),
                         nn.Flatten(), nn.LayerNorm(4 * 3 * 3),
                         nn.Linear(36, 5)), (3, 7, 7)


@pytest.mark.parametrize('build', [_conv3d, _conv2d_layernorm])
def test_matches_per_example_autograd(build):
    torch.manual_seed(0)
    model, shape = build()
    x, y = torch.randn((5, ) + shape), torch.randint(0, 5, (5, ))
    _assert_matches_autograd(model, x, y, rtol=1e-4)


def test_batchnorm_in_train_mode_is_named():
    model = nn.Sequential(nn.Conv2d(3, 4, 3))
    model.add_module('stem_bn', nn.BatchNorm2d(4))
    model.train()
    with pytest.raises(ValueError) as err:
        make_per_sample(model)
    assert 'stem_bn' in str(err.value) and 'GroupNorm' in str(err.value)


def test_frozen_batchnorm_in_eval_mode_is_accepted():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    model.eval()
    for p in model[1].parameters():
        p.requires_grad = False
    check_per_sample_privacy(model)
    model[1].weight.requires_grad = True
    with pytest.raises(ValueError, match='affine parameters'):
        check_per_sample_privacy(model)


def test_conversion_replaces_every_batchnorm():
    model = nn.Sequential(nn.Conv3d(3, 48, 1), nn.BatchNorm3d(48),
                          nn.Sequential(nn.Conv3d(48, 6, 1),
                                        nn.BatchNorm3d(6)))
    convert_batchnorm_to_groupnorm(model)
    norms = [m for m in model.modules() if isinstance(m, nn.GroupNorm)]
    assert [(n.num_groups, n.num_channels) for n in norms] == [(24, 48),
                                                               (6, 6)]
    model.train()
    check_per_sample_privacy(model)


def test_mmaction2_resnet3d_with_groupnorm():
    """The synthetic demo's backbone, with GroupNorm, gets exact per-sample
    gradients (checked on two samples against per-example autograd)."""
    from mmengine.registry import init_default_scope

    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    torch.manual_seed(0)
    backbone = MODELS.build(dict(
        type='ResNet3d', depth=18, pretrained=None, pretrained2d=False,
        base_channels=4, spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 2, 2, 2), inflate=(1, 1, 1, 1),
        zero_init_residual=False,
        norm_cfg=dict(type='GN', num_groups=2, requires_grad=True)))
    backbone.init_weights()
    model = nn.Sequential(backbone, nn.AdaptiveAvgPool3d(1), nn.Flatten(),
                          nn.Linear(32, 3))
    model.train()
    x, y = torch.randn(2, 3, 4, 16, 16), torch.tensor([0, 2])
    _assert_matches_autograd(model, x, y, rtol=1e-3)
