"""Pick one network's tensors out of a whole model's state dict."""
from typing import Dict

import torch


def branch_state_dict(state: Dict[str, torch.Tensor],
                      prefix: str) -> Dict[str, torch.Tensor]:
    """The entries of ``state`` under ``prefix``, with the prefix removed.

    Args:
        state (dict[str, torch.Tensor]): A checkpoint's state dict.
        prefix (str): The branch's key prefix, e.g. ``'utility.'``.

    Returns:
        dict[str, torch.Tensor]: The branch's own state dict; empty if no
        key starts with ``prefix``.
    """
    return {k[len(prefix):]: v for k, v in state.items()
            if k.startswith(prefix)}
