"""The two changes to an MMEngine iteration that Poisson sampling needs.

A Poisson batch may be empty, yet the mechanism still releases a noisy
step, and a run must not take a step its privacy budget cannot pay for.
MMEngine's collate functions and ``train_step`` handle neither, so
:class:`PrivacyAccountantHook` wraps both on the built runner (no config
change for the user):

* :class:`EmptyBatchCollate` turns ``[]`` into ``{'inputs': [],
  'data_samples': []}`` instead of failing;
* :class:`PrivateTrainStep` skips the forward pass of such a batch and
  calls the optimizer wrapper's noise-only step, and skips every step once
  the budget is spent.
"""
from typing import Callable, Dict

import torch


class EmptyBatchCollate:
    """Collate function that lets an empty batch through.

    Args:
        collate_fn (Callable): The dataloader's collate function.
    """

    def __init__(self, collate_fn: Callable) -> None:
        self.collate_fn = collate_fn

    def __call__(self, batch):
        if len(batch) == 0:
            return dict(inputs=[], data_samples=[])
        return self.collate_fn(batch)


def is_empty_batch(data) -> bool:
    """Whether a collated batch holds no sample."""
    return isinstance(data, dict) and len(data.get('inputs', ())) == 0


class PrivateTrainStep:
    """``model.train_step`` with an empty-batch path and a budget gate.

    Args:
        train_step (Callable): The model's original bound ``train_step``.
        may_step (Callable[[], bool]): False once the budget is spent.
    """

    def __init__(self, train_step: Callable,
                 may_step: Callable[[], bool]) -> None:
        self.train_step = train_step
        self.may_step = may_step

    def __call__(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        if not self.may_step():
            return {}
        if is_empty_batch(data):
            optim_wrapper.empty_batch_step()
            return {}
        return self.train_step(data, optim_wrapper)
