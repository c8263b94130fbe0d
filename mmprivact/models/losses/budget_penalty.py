"""The penalty that keeps f_A(x) within a budget B of x."""
from typing import Tuple

import torch
import torch.nn as nn
from mmaction.registry import MODELS


@MODELS.register_module()
class BudgetPenalty(nn.Module):
    """``max(0, RMS(x - f_A(x)) - B)``, per item, averaged.

    The paper (Aslam & Nasrollahi 2025, Eq. 3) adds ``lambda * L_penalty``
    to f_A's loss so that the anonymizer may change the frames only as much
    as the budget ``B`` allows. Its released code converts this term to a
    Python float, so no gradient ever reaches f_A through it; here it is a
    differentiable tensor: zero gradient while an item's RMS change is at
    most ``B``, gradient ``d RMS / d f_A(x)`` above it.

    The RMS is taken per item (a frame, or a feature vector) over all its
    values, and hinged per item, so every frame is held to the budget rather
    than the batch on average.

    Args:
        budget (float): ``B``, in the units of the compared tensors.
    """

    def __init__(self, budget: float) -> None:
        super().__init__()
        if not budget >= 0:
            raise ValueError(f'budget must be >= 0; got {budget!r}.')
        self.budget = float(budget)

    def forward(self, reference: torch.Tensor, changed: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Penalty of ``changed`` against ``reference``.

        Args:
            reference (torch.Tensor): (N, ...) originals (or their
                features); the first dim indexes items.
            changed (torch.Tensor): Same shape: f_A's output (or its
                features).

        Returns:
            tuple: the scalar penalty (mean over items of the hinge), the
            (N,) RMS changes and the fraction of items over budget (both
            detached, for logging).
        """
        if reference.shape != changed.shape:
            raise ValueError(f'reference and changed differ in shape: '
                             f'{tuple(reference.shape)} vs '
                             f'{tuple(changed.shape)}.')
        diff = (changed - reference).flatten(1)
        rms = diff.pow(2).mean(1).add(1e-12).sqrt()
        hinge = torch.relu(rms - self.budget)
        return hinge.mean(), rms.detach(), (hinge > 0).float().mean()

    def extra_repr(self) -> str:
        return f'budget={self.budget}'
