"""Average gradients over the ranks of a process group, in one message."""
from typing import Iterable

import torch
from mmengine import dist

from ...distributed import all_reduce_sum


def average_gradients(parameters: Iterable[torch.nn.Parameter]) -> None:
    """Replace each parameter's gradient by its mean over all ranks.

    What DDP does during ``backward``, done explicitly for models that
    update several networks with their own optimizers in one
    ``train_step`` (:class:`TrainStepDataParallel`). The gradients travel
    as one flat tensor, so a step costs one all-reduce. Parameters without
    a gradient are skipped; every rank runs the same code path, so they
    are the same on every rank. Does nothing on a single process.

    Args:
        parameters (Iterable[torch.nn.Parameter]): The parameters about to
            be stepped.
    """
    world_size = dist.get_world_size()
    if world_size == 1:
        return
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    for grad, total in zip(grads, all_reduce_sum(grads)):
        grad.copy_(total / world_size)
