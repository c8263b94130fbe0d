"""Optimizer-wrapper constructor that can convert BatchNorm first."""
from typing import Optional

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper

from mmaction.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmprivact.privacy.per_sample_grads import convert_batchnorm_to_groupnorm


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MaskDPOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """The default constructor, plus an opt-in BatchNorm -> GroupNorm swap.

    BatchNorm in train mode mixes the videos of a batch, which per-video DP
    cannot allow. The swap has to happen before the optimizer is built (the
    optimizer must hold the new GroupNorm parameters), hence a
    constructor::

        optim_wrapper = dict(
            type='MaskDPOptimWrapper',
            constructor='MaskDPOptimWrapperConstructor',
            convert_batchnorm=True, max_grad_norm=1.0,
            optimizer=dict(type='SGD', lr=0.1))

    Args:
        optim_wrapper_cfg (dict): The optim wrapper config; the key
            ``convert_batchnorm`` (bool, default False) and
            ``groupnorm_max_groups`` (int, default 32) are taken from it.
        paramwise_cfg (dict, optional): As for
            :class:`DefaultOptimWrapperConstructor`.
    """

    def __init__(self, optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        optim_wrapper_cfg = dict(optim_wrapper_cfg)
        self.convert_batchnorm = bool(
            optim_wrapper_cfg.pop('convert_batchnorm', False))
        self.max_groups = int(optim_wrapper_cfg.pop('groupnorm_max_groups',
                                                    32))
        super().__init__(optim_wrapper_cfg, paramwise_cfg)

    def __call__(self, model: nn.Module) -> OptimWrapper:
        if self.convert_batchnorm:
            if is_model_wrapper(model):
                raise ValueError(
                    'convert_batchnorm cannot change a model that is already '
                    'wrapped for distributed training. Set GroupNorm in the '
                    "model config instead (norm_cfg=dict(type='GN', "
                    'num_groups=..., requires_grad=True)).')
            before = sum(p.numel() for p in model.parameters())
            convert_batchnorm_to_groupnorm(model, self.max_groups)
            print_log(
                'MaskDPOptimWrapperConstructor: replaced BatchNorm by '
                f'GroupNorm (at most {self.max_groups} groups); parameters '
                f'{before} -> {sum(p.numel() for p in model.parameters())}. '
                'Pretrained BatchNorm statistics are dropped.',
                logger='current')
        return super().__call__(model)
