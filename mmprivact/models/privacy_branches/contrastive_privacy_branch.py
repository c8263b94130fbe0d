"""f_B: the self-supervised privacy ("budget") branch."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule


@MODELS.register_module()
class ContrastivePrivacyBranch(BaseModule):
    """A 2D backbone with a projection head, trained with NT-Xent.

    SPAct's and the paper's f_B: frames in, an L2-normalised embedding
    out (``proj_dim``, 128 in the paper). No privacy labels are used: two
    augmented views of each anonymized frame are pulled together and other
    frames pushed apart, so f_B learns whatever makes frames tell apart
    (identity, appearance), which f_A then learns to remove.

    Args:
        backbone (dict): A 2D backbone config from MMAction2's registry;
            defaults to its ResNet-18, trained from scratch.
        feat_channels (int): The backbone's output channels.
        hidden_channels (int): Width of the projection MLP's hidden layer.
        proj_dim (int): Embedding size. Defaults to 128.
        mean (Sequence[float]): Per-channel mean of [0, 1] input frames.
        std (Sequence[float]): Per-channel std of [0, 1] input frames.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 backbone: Optional[Dict] = None,
                 feat_channels: int = 512,
                 hidden_channels: int = 512,
                 proj_dim: int = 128,
                 mean: Sequence[float] = (0.485, 0.456, 0.406),
                 std: Sequence[float] = (0.229, 0.224, 0.225),
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        backbone = backbone or dict(
            type='ResNet', depth=18, pretrained=None,
            torchvision_pretrain=False, norm_eval=False)
        self.backbone = MODELS.build(backbone)
        self.projector = nn.Sequential(
            nn.Linear(feat_channels, hidden_channels), nn.ReLU(),
            nn.Linear(hidden_channels, proj_dim))
        self.register_buffer('mean', torch.tensor(mean).view(1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, 3, 1, 1),
                             persistent=False)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """Embed frames.

        Args:
            frames (torch.Tensor): (N, 3, H, W) RGB in [0, 1].

        Returns:
            torch.Tensor: (N, proj_dim) unit-norm embeddings.
        """
        feat = self.backbone((frames - self.mean) / self.std)
        if isinstance(feat, (tuple, list)):
            feat = feat[-1]
        feat = F.adaptive_avg_pool2d(feat, 1).flatten(1)
        return F.normalize(self.projector(feat), dim=1)
