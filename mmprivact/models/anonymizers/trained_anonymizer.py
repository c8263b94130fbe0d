"""Load the trained f_A out of a penalty-minimax checkpoint."""
from typing import Any, Dict, Optional

import torch
import torch.nn as nn

from ..state_dicts import branch_state_dict

#: Prefix of f_A's weights in a ``PenaltyMinimaxRecognizer`` state dict.
ANONYMIZER_PREFIX = 'anonymizer.'


def anonymizer_cfg_from_checkpoint(checkpoint: Dict[str, Any],
                                   filename: str) -> Dict[str, Any]:
    """f_A's model config as saved in an MMEngine checkpoint's ``meta``.

    Args:
        checkpoint (dict): The loaded checkpoint.
        filename (str): Its path (for error messages).

    Returns:
        dict: ``model.anonymizer`` of the training config.

    Raises:
        KeyError: If the checkpoint carries no config with an anonymizer.
    """
    from mmengine.config import Config
    text = (checkpoint.get('meta') or {}).get('cfg')
    if not text:
        raise KeyError(
            f'{filename}: no training config in the checkpoint meta; pass '
            f'the anonymizer config explicitly, e.g. '
            f"anonymizer=dict(type='UNetAnonymizer', ...).")
    cfg = Config.fromstring(text, '.py')
    anonymizer = cfg.get('model', {}).get('anonymizer')
    if anonymizer is None:
        raise KeyError(f'{filename}: its config has no model.anonymizer; is '
                       f'it a PenaltyMinimaxRecognizer checkpoint?')
    return dict(anonymizer)


def load_trained_anonymizer(checkpoint: str,
                            anonymizer: Optional[Dict[str, Any]] = None,
                            device: str = 'cpu') -> nn.Module:
    """Build f_A and load its trained weights, ready for inference.

    Args:
        checkpoint (str): A ``PenaltyMinimaxRecognizer`` checkpoint (the
            weights under ``anonymizer.``), or a file holding f_A's own
            state dict.
        anonymizer (dict, optional): f_A's config; None reads it from the
            checkpoint's saved training config.
        device (str): Where the module goes.

    Returns:
        nn.Module: f_A in eval mode, without gradients; maps (N, 3, H, W)
        RGB in [0, 1] to the same.

    Raises:
        FileNotFoundError: If ``checkpoint`` does not exist.
        KeyError: If the checkpoint holds no f_A weights.
    """
    import os.path as osp

    from mmaction.registry import MODELS
    from mmengine.runner.checkpoint import _load_checkpoint
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'anonymizer checkpoint {checkpoint!r} not found; train one with '
            f'tools/train.py configs/penalty_minimax/<config>.py.')
    ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    own = branch_state_dict(state, ANONYMIZER_PREFIX)
    if not own:
        if any(k.startswith('utility.') for k in state):
            raise KeyError(f'{checkpoint}: no {ANONYMIZER_PREFIX}* weights.')
        own = state  # f_A's own state dict
    if anonymizer is None:
        anonymizer = anonymizer_cfg_from_checkpoint(ckpt, checkpoint)
    import mmprivact.models.anonymizers  # noqa: F401  (registration)
    model = MODELS.build(dict(anonymizer))
    model.load_state_dict(own, strict=True)
    model.eval().requires_grad_(False)
    return model.to(device)


__all__ = ['load_trained_anonymizer', 'anonymizer_cfg_from_checkpoint',
           'ANONYMIZER_PREFIX']
