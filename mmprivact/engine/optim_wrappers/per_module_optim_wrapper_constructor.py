"""One optimizer wrapper per named submodule (an ``OptimWrapperDict``)."""
from typing import Dict

import torch.nn as nn
from mmaction.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class PerModuleOptimWrapperConstructor:
    """Build an ``OptimWrapperDict`` from an ordinary config, one entry per
    submodule of the model.

    ``optim_wrapper = dict(constructor='PerModuleOptimWrapperConstructor',
    anonymizer=dict(type='OptimWrapper', optimizer=dict(type='Adam',
    lr=4e-5)), utility=dict(...), privacy=dict(...))`` gives
    ``OptimWrapperDict(anonymizer=..., utility=..., privacy=...)``, each
    built by MMEngine's default constructor over ``model.<key>`` (so
    ``paramwise_cfg`` works per entry). Models with their own
    ``train_step`` (e.g. ``PenaltyMinimaxRecognizer``) step them one by one.

    Args:
        optim_wrapper_cfg (dict): ``{submodule name: optim wrapper config}``.
        paramwise_cfg (dict, optional): Must be None at this level; give it
            inside an entry instead.
    """

    def __init__(self, optim_wrapper_cfg: Dict,
                 paramwise_cfg: Dict = None) -> None:
        if paramwise_cfg is not None:
            raise ValueError('paramwise_cfg belongs inside an entry of '
                             'optim_wrapper (e.g. anonymizer=dict(..., '
                             'paramwise_cfg=...)), not at its top level.')
        if not optim_wrapper_cfg:
            raise ValueError('optim_wrapper names no submodule; give e.g. '
                             'anonymizer=dict(...), utility=dict(...).')
        self.constructors = {}
        for name, cfg in optim_wrapper_cfg.items():
            if not isinstance(cfg, dict) or 'optimizer' not in cfg:
                raise ValueError(
                    f'optim_wrapper.{name} must be an optim wrapper config '
                    f"with an 'optimizer'; got {cfg!r}.")
            cfg = dict(cfg)
            paramwise = cfg.pop('paramwise_cfg', None)
            self.constructors[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise)

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        if is_model_wrapper(model):  # DDP: the submodules are inside
            model = model.module
        wrappers = {}
        for name, constructor in self.constructors.items():
            sub = getattr(model, name, None)
            if not isinstance(sub, nn.Module):
                raise AttributeError(
                    f'optim_wrapper.{name}: the model '
                    f'({type(model).__name__}) has no submodule {name!r}.')
            wrappers[name] = constructor(sub)
        return OptimWrapperDict(**wrappers)
