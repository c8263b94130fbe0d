"""Per-sample gradients through Opacus' hooks, with checks that explain.

Opacus (``GradSampleModule``) records, for every trainable Conv2d, Conv3d,
Linear, GroupNorm, LayerNorm, ... a ``grad_sample`` of shape
``(batch, *param.shape)`` during backward. This module adds what a
MMAction2 user needs around it: a check for cross-sample statistics
(BatchNorm in train mode) that names the module and the fix, and an
opt-in conversion of BatchNorm to GroupNorm.
"""
from typing import List, Tuple

import torch
import torch.nn as nn
from opacus import GradSampleModule
from torch.nn.modules.batchnorm import _BatchNorm

BATCHNORM_FIX = (
    "Fix: use GroupNorm (norm_cfg=dict(type='GN', num_groups=..., "
    "requires_grad=True)), or freeze the statistics and affine parameters "
    "(norm_eval=True and norm_cfg=dict(type='BN3d', requires_grad=False)), "
    'or let mmprivact convert BatchNorm to GroupNorm '
    '(convert_batchnorm=True).')


def find_batch_statistics(model: nn.Module) -> List[Tuple[str, str]]:
    """Modules that break per-sample privacy, with the reason.

    Args:
        model (nn.Module): The model, in the mode it will train in (call
            ``model.train()`` first: MMAction2's ``norm_eval`` switches
            BatchNorm to eval mode there).

    Returns:
        list[tuple[str, str]]: ``(module name, reason)`` pairs.
    """
    problems = []
    for name, module in model.named_modules():
        if not isinstance(module, _BatchNorm):
            continue
        if module.training:
            problems.append((name, 'BatchNorm in train mode mixes samples '
                             'through batch statistics'))
        elif any(p.requires_grad for p in module.parameters(recurse=False)):
            problems.append((name, 'BatchNorm affine parameters are '
                             'trainable but have no per-sample gradient'))
    return problems


def check_per_sample_privacy(model: nn.Module) -> None:
    """Raise if the model has cross-sample statistics or unsupported norms.

    Raises:
        ValueError: Naming every offending module and the fix.
    """
    problems = find_batch_statistics(model)
    if problems:
        listed = '; '.join(f'{name or "<model>"}: {why}'
                           for name, why in problems)
        raise ValueError(f'Per-sample (DP) training is not possible with '
                         f'this model: {listed}. {BATCHNORM_FIX}')


def convert_batchnorm_to_groupnorm(model: nn.Module,
                                   max_groups: int = 32) -> nn.Module:
    """Replace every BatchNorm by a GroupNorm over the same channels.

    Uses the largest group count <= ``max_groups`` that divides the
    channels. Weights are re-initialised (BatchNorm statistics do not carry
    over). Returns the same model object, modified in place.
    """
    for name, module in list(model.named_children()):
        if isinstance(module, _BatchNorm):
            channels = module.num_features
            groups = max(g for g in range(1, min(max_groups, channels) + 1)
                         if channels % g == 0)
            setattr(model, name, nn.GroupNorm(groups, channels,
                                              affine=module.affine))
        else:
            convert_batchnorm_to_groupnorm(module, max_groups)
    return model


def disable_inplace_activations(model: nn.Module) -> int:
    """Make in-place activations (``ReLU(inplace=True)``, ...) out-of-place.

    Opacus' backward hooks cannot see through an in-place change of a hooked
    layer's output, and MMAction2's ConvModule uses in-place ReLU.

    Returns:
        int: How many modules were changed.
    """
    changed = 0
    for module in model.modules():
        if getattr(module, 'inplace', False) is True:
            module.inplace = False
            changed += 1
    return changed


def make_per_sample(model: nn.Module) -> GradSampleModule:
    """Wrap ``model`` so that backward fills ``param.grad_sample``.

    The loss must be a *sum* over samples (``reduction='sum'``) so that
    ``grad_sample[i]`` is sample i's own gradient. In-place activations are
    switched to out-of-place (same results, see
    :func:`disable_inplace_activations`).

    Raises:
        ValueError: If :func:`check_per_sample_privacy` fails, or a
            trainable layer has no per-sample gradient in Opacus (named).
    """
    check_per_sample_privacy(model)
    disable_inplace_activations(model)
    try:
        return GradSampleModule(model, batch_first=True,
                                loss_reduction='sum', strict=True)
    except NotImplementedError as err:
        raise ValueError(
            f'A trainable layer has no per-sample gradient in Opacus: {err}. '
            'Freeze it (requires_grad=False) or replace it with a supported '
            'layer (Conv1d/2d/3d, Linear, GroupNorm, LayerNorm, Embedding, '
            '...).') from err


def per_sample_grads(gsm: GradSampleModule) -> List[torch.Tensor]:
    """The ``grad_sample`` of every trainable parameter, in order."""
    out = []
    for name, p in gsm.named_parameters():
        if not p.requires_grad:
            continue
        if getattr(p, 'grad_sample', None) is None:
            raise RuntimeError(f'Parameter {name!r} got no per-sample '
                               'gradient: was it used in the forward pass?')
        out.append(p.grad_sample)
    return out
