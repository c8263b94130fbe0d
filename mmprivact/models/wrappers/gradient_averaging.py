"""Average gradients over the ranks of a process group, in one message."""
from typing import Iterable

import torch
from mmengine import dist


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
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, op='sum')
    flat /= world_size
    for grad, chunk in zip(grads, flat.split([g.numel() for g in grads])):
        grad.copy_(chunk.view_as(grad))
