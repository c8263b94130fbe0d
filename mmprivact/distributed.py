"""Collective helpers shared by the MaskDP optimizer and model wrappers."""
from typing import List, Sequence

import torch
import torch.distributed as dist


def all_reduce_sum(tensors: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    """Sum ``tensors`` over all ranks in one all-reduce.

    The tensors travel as one flat tensor, so a call costs one message
    however many there are. Needs an initialised process group.

    Args:
        tensors (Sequence[torch.Tensor]): This rank's tensors.

    Returns:
        list[torch.Tensor]: New tensors of the same shapes, each the sum of
        its counterparts on all ranks; the inputs are left as they were.
    """
    flat = torch.cat([t.reshape(-1) for t in tensors])
    dist.all_reduce(flat)
    return [chunk.view_as(t) for chunk, t in zip(
        flat.split([t.numel() for t in tensors]), tensors)]
