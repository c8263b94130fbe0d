"""f_A: shapes, image range, both decoders and encoders, loading."""
import pytest
import torch
from mmengine.config import Config

from mmprivact.models.anonymizers import (UNetAnonymizer,
                                          load_trained_anonymizer)

TINY = dict(encoder='conv', encoder_channels=(4, 4, 8, 8, 8),
            decoder_channels=(8, 8, 8, 8, 4))


@pytest.mark.parametrize('decoder', ['unet', 'unet++'])
@pytest.mark.parametrize('size', [(32, 32), (37, 50)])
def test_shapes_and_range(decoder, size):
    model = UNetAnonymizer(decoder=decoder, **TINY)
    x = torch.rand(2, 3, *size)
    y = model(x)
    assert y.shape == x.shape
    assert y.min() >= 0 and y.max() <= 1
    y.mean().backward()  # every decoder node takes part
    assert all(p.grad is not None for p in model.parameters())


def test_resnet_encoder_is_mmaction_resnet18():
    from mmaction.models.backbones.resnet import ResNet
    model = UNetAnonymizer(decoder='unet')
    assert isinstance(model.encoder, ResNet) and model.encoder.depth == 18
    assert model(torch.rand(1, 3, 64, 64)).shape == (1, 3, 64, 64)


def test_bad_arguments():
    for kwargs, match in [(dict(encoder_depth=50), 'encoder_depth'),
                          (dict(decoder='fpn'), 'decoder'),
                          (dict(decoder_channels=(8, 8)), 'decoder_channels'),
                          (dict(encoder='vit'), 'encoder'),
                          (dict(norm='LN'), 'norm')]:
        with pytest.raises(ValueError, match=match):
            UNetAnonymizer(**kwargs)
    with pytest.raises(ValueError, match='N, 3, H, W'):
        UNetAnonymizer(**TINY)(torch.rand(1, 1, 32, 32))


def test_load_trained_anonymizer(tmp_path):
    model = UNetAnonymizer(**TINY)
    cfg = Config(dict(model=dict(type='PenaltyMinimaxRecognizer',
                                 anonymizer=dict(type='UNetAnonymizer',
                                                 **TINY))))
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict={'anonymizer.' + k: v
                                for k, v in model.state_dict().items()},
                    meta=dict(cfg=cfg.pretty_text)), path)
    loaded = load_trained_anonymizer(str(path))
    x = torch.rand(2, 3, 32, 32)
    model.eval()
    assert torch.equal(loaded(x), model(x))
    assert not loaded.training
    assert not any(p.requires_grad for p in loaded.parameters())
    with pytest.raises(FileNotFoundError, match='train one'):
        load_trained_anonymizer(str(tmp_path / 'missing.pth'))
    torch.save(dict(state_dict={'utility.w': torch.zeros(1)}), path)
    with pytest.raises(KeyError, match='anonymizer'):
        load_trained_anonymizer(str(path), anonymizer=dict(
            type='UNetAnonymizer', **TINY))


def test_residual_f_a_starts_as_identity_and_still_learns():
    model = UNetAnonymizer(residual=True, **TINY)
    model.init_weights()
    x = torch.rand(2, 3, 32, 32) * 0.99 + 0.005
    y = model(x)
    assert torch.allclose(y, x, atol=1e-5)
    (y - 0.5).pow(2).mean().backward()
    assert model.head.weight.grad.abs().sum() > 0
