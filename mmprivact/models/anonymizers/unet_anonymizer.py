"""f_A: an image-to-image anonymizer, a UNet(++) on a ResNet encoder."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule


class _ConvBlock(nn.Sequential):
    """Two 3x3 conv + norm + ReLU layers."""

    def __init__(self, in_ch: int, out_ch: int, norm: str,
                 stride: int = 1) -> None:
        layers: List[nn.Module] = []
        for k, c in enumerate((in_ch, out_ch)):
            layers += [nn.Conv2d(c, out_ch, 3, stride=stride if k == 0
                                 else 1, padding=1, bias=False),
                       nn.BatchNorm2d(out_ch) if norm == 'BN' else
                       nn.GroupNorm(min(8, out_ch), out_ch),
                       nn.ReLU(inplace=True)]
        super().__init__(*layers)


@MODELS.register_module()
class UNetAnonymizer(BaseModule):
    """Frame anonymizer f_A: ``[0, 1]`` RGB frames in, ``[0, 1]`` frames out.

    The paper (Aslam & Nasrollahi 2025) uses UNet++ with a ResNet-18
    encoder. The encoder here is MMAction2's own 2D ResNet (torchvision is
    not installed); the decoder is UNet++'s nested dense skips
    (``decoder='unet++'``, Zhou et al. 2018) or a plain UNet
    (``decoder='unet'``). Encoder features at 1/2 (stem), 1/4, 1/8, 1/16
    and 1/32 resolution; decoder widths ``decoder_channels`` from deep to
    shallow; a sigmoid keeps the output in image range. Inputs whose sides
    are not multiples of 32 are reflect-padded and cropped back.

    ``encoder='conv'`` swaps the ResNet for a small plain encoder (two conv
    blocks per level, stride-2 downsampling, widths ``encoder_channels``):
    for CPU-sized experiments such as the synthetic benchmark, not the
    paper's network.

    ``residual=True`` makes the output ``sigmoid(logit(x) + head(...))``
    with a zero-initialised head, so f_A starts as the identity map (up to
    clamping x to [1e-3, 1 - 1e-3]) instead of learning it during the L1
    pre-training: a shortcut for CPU-sized runs; the paper's f_A is
    ``residual=False``.

    Args:
        encoder (str): ``'resnet'`` (MMAction2 ResNet, the paper's choice)
            or ``'conv'``.
        encoder_depth (int): ResNet depth, 18 or 34 (basic blocks).
        encoder_channels (Sequence[int]): Widths of the ``'conv'`` encoder
            at 1/2 ... 1/32. Defaults to ``(16, 16, 32, 64, 128)``.
        decoder (str): ``'unet++'`` or ``'unet'``.
        decoder_channels (Sequence[int]): Five decoder widths, deep to
            shallow. Defaults to ``(256, 128, 64, 32, 16)``.
        norm (str): ``'BN'`` or ``'GN'`` in encoder and decoder.
        residual (bool): Start as the identity map (see above).
        init_cfg (dict | list, optional): MMEngine init config.
    """

    def __init__(self,
                 encoder: str = 'resnet',
                 encoder_depth: int = 18,
                 encoder_channels: Sequence[int] = (16, 16, 32, 64, 128),
                 decoder: str = 'unet++',
                 decoder_channels: Sequence[int] = (256, 128, 64, 32, 16),
                 norm: str = 'BN',
                 residual: bool = False,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if encoder_depth not in (18, 34):
            raise ValueError(f'encoder_depth must be 18 or 34 (basic-block '
                             f'ResNets); got {encoder_depth!r}.')
        if decoder not in ('unet', 'unet++'):
            raise ValueError(f"decoder must be 'unet' or 'unet++'; got "
                             f'{decoder!r}.')
        if len(decoder_channels) != 5:
            raise ValueError(f'decoder_channels needs 5 widths (deep to '
                             f'shallow); got {tuple(decoder_channels)}.')
        if norm not in ('BN', 'GN'):
            raise ValueError(f"norm must be 'BN' or 'GN'; got {norm!r}.")
        if encoder == 'resnet':
            from mmaction.models.backbones.resnet import ResNet
            norm_cfg = dict(type='BN2d', requires_grad=True) \
                if norm == 'BN' else dict(type='GN', num_groups=8,
                                          requires_grad=True)
            self.encoder = ResNet(depth=encoder_depth, pretrained=None,
                                  torchvision_pretrain=False,
                                  out_indices=(0, 1, 2, 3),
                                  norm_cfg=norm_cfg,
                                  act_cfg=dict(type='ReLU', inplace=False))
            enc = (64, 64, 128, 256, 512)
        elif encoder == 'conv':
            if len(encoder_channels) != 5:
                raise ValueError(f'encoder_channels needs 5 widths (1/2 to '
                                 f'1/32); got {tuple(encoder_channels)}.')
            enc = tuple(int(c) for c in encoder_channels)
            self.encoder = nn.ModuleList(
                nn.Sequential(nn.MaxPool2d(2) if k else nn.Identity(),
                              _ConvBlock(3 if k == 0 else enc[k - 1],
                                         enc[k], norm, stride=2 - bool(k)))
                for k in range(5))
        else:
            raise ValueError(f"encoder must be 'resnet' or 'conv'; got "
                             f'{encoder!r}.')
        self.encoder_type = encoder
        self.decoder_type = decoder
        # X[i][0]: encoder features at 1/2, 1/4, 1/8, 1/16 (i = 0..3) and
        # the 1/32 bottleneck (i = 4). Level i decodes at width[i].
        width = tuple(decoder_channels[3 - i] for i in range(4))
        self.nodes = nn.ModuleDict()
        if decoder == 'unet':  # only the diagonal X[i][4-i]
            for i in range(4):
                below = enc[4] if i == 3 else width[i + 1]
                self.nodes[f'{i}'] = _ConvBlock(enc[i] + below, width[i],
                                                norm)
        else:  # UNet++: X[i][j] sees X[i][0..j-1] and up(X[i+1][j-1])
            for j in range(1, 5):
                for i in range(5 - j):
                    below = enc[i + 1] if j == 1 else width[i + 1]
                    self.nodes[f'{i}_{j}'] = _ConvBlock(
                        enc[i] + (j - 1) * width[i] + below, width[i], norm)
        # Full resolution: the top decoder node plus the input image.
        self.final = _ConvBlock(width[0] + 3, decoder_channels[4], norm)
        self.head = nn.Conv2d(decoder_channels[4], 3, 3, padding=1)
        self.residual = bool(residual)
        self._zero_head()

    def _zero_head(self) -> None:
        if self.residual:
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    def init_weights(self) -> None:
        """MMEngine init, keeping a residual f_A's identity start."""
        super().init_weights()
        self._zero_head()

    def _encode(self, x: torch.Tensor) -> List[torch.Tensor]:
        if self.encoder_type == 'conv':
            feats = []
            for level in self.encoder:
                x = level(x)
                feats.append(x)
            return feats
        enc = self.encoder
        out = enc.conv1(x)
        feats = [out]
        out = enc.maxpool(out)
        for name in enc.res_layers:
            out = getattr(enc, name)(out)
            feats.append(out)
        return feats  # 1/2, 1/4, 1/8, 1/16, 1/32

    @staticmethod
    def _up(x: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, size=ref.shape[-2:], mode='nearest')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Anonymize a batch of frames.

        Args:
            x (torch.Tensor): (N, 3, H, W) RGB in [0, 1].

        Returns:
            torch.Tensor: (N, 3, H, W) in [0, 1].
        """
        if x.dim() != 4 or x.shape[1] != 3:
            raise ValueError(f'UNetAnonymizer expects (N, 3, H, W) frames; '
                             f'got {tuple(x.shape)}.')
        h, w = x.shape[-2:]
        ph, pw = (-h) % 32, (-w) % 32
        if ph or pw:
            mode = 'reflect' if ph < h and pw < w else 'replicate'
            x = F.pad(x, (0, pw, 0, ph), mode=mode)
        feats = self._encode(x)
        if self.decoder_type == 'unet':
            top = feats[4]
            for i in range(3, -1, -1):
                top = self.nodes[f'{i}'](
                    torch.cat([feats[i], self._up(top, feats[i])], 1))
        else:
            grid = {(i, 0): f for i, f in enumerate(feats)}
            for j in range(1, 5):
                for i in range(5 - j):
                    skips = [grid[(i, k)] for k in range(j)]
                    below = self._up(grid[(i + 1, j - 1)], skips[0])
                    grid[(i, j)] = self.nodes[f'{i}_{j}'](
                        torch.cat(skips + [below], 1))
            top = grid[(0, 4)]
        out = self.final(torch.cat([self._up(top, x), x], 1))
        out = self.head(out)
        if self.residual:
            x = x.clamp(1e-3, 1 - 1e-3)
            out = out + torch.log(x / (1 - x))
        return torch.sigmoid(out)[..., :h, :w]
