"""Tear down the distributed process group at the end of a tool."""
import gc

import torch.distributed as torch_dist


def release_process_group() -> None:
    """Destroy the default process group, if this process initialised one,
    and free what still holds it.

    Call once, after the run's last collective and after dropping the
    runner (the end of ``tools/train.py`` or ``tools/test.py``). The
    runner's objects (its DDP wrapper, hooks) form reference cycles that
    keep the group alive past ``destroy_process_group``; left to the
    interpreter's shutdown, gloo's threads then outlive Python, the rank
    aborts with "terminate called without an active exception" (SIGABRT)
    and ``torchrun`` reports a finished run, checkpoints written, as
    failed. Collecting the cycles here joins those threads while Python is
    still alive. Not called when the run raised: ``torchrun`` stops the
    other ranks anyway.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()
        gc.collect()
