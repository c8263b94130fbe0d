"""A data-parallel wrapper for models that synchronize their own steps."""
from typing import Dict, List, Union

import torch
import torch.nn as nn
from mmengine import dist
# MMEngine's root registry: Runner.wrap_model looks the type up there,
# without switching to the default scope's child registry.
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class TrainStepDataParallel(nn.Module):
    """Data-parallel training for models with their own ``train_step``.

    MMEngine's :class:`MMDistributedDataParallel` trains through
    ``forward(mode='loss')`` and one optimizer. A model such as
    :class:`PenaltyMinimaxRecognizer` instead runs several optimizer steps
    per iteration (f_A, then f_T and f_B) over an ``OptimWrapperDict``,
    which that wrapper cannot drive. This wrapper hands ``train_step``,
    ``val_step`` and ``test_step`` to the model unchanged; the model
    averages each network's gradients over the ranks before its optimizer
    steps (:func:`average_gradients`), so every rank makes the same
    update. At construction every rank takes rank 0's parameters and
    buffers, as DDP does, so the replicas start equal. BatchNorm running
    statistics then stay per rank (as MMEngine's DDP default,
    ``broadcast_buffers=False``); checkpoints hold rank 0's.

    Selected in a config with
    ``model_wrapper_cfg = dict(type='TrainStepDataParallel')``; on a single
    process MMEngine does not wrap the model at all.

    Args:
        module (nn.Module): The model. It must declare
            ``averages_gradients_across_ranks = True``.
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        if not getattr(module, 'averages_gradients_across_ranks', False):
            raise TypeError(
                f'TrainStepDataParallel only wraps models whose train_step '
                f'averages gradients over ranks itself (they declare '
                f'averages_gradients_across_ranks = True, as '
                f'PenaltyMinimaxRecognizer does); {type(module).__name__} '
                f'does not, so its ranks would drift apart. Remove '
                f'model_wrapper_cfg from the config to use MMEngine\'s '
                f'MMDistributedDataParallel.')
        self.module = module
        for tensor in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(tensor.data, src=0)  # no-op on one process

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper) -> Dict[str, torch.Tensor]:
        """The model's own ``train_step``."""
        return self.module.train_step(data, optim_wrapper)

    def val_step(self, data: Union[dict, tuple, list]) -> List:
        """The model's own ``val_step``."""
        return self.module.val_step(data)

    def test_step(self, data: Union[dict, tuple, list]) -> List:
        """The model's own ``test_step``."""
        return self.module.test_step(data)

    def forward(self, *args, **kwargs):
        """The model's ``forward``."""
        return self.module(*args, **kwargs)
