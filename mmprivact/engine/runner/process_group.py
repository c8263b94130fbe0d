"""Tear down the distributed process group at the end of a tool."""
import torch.distributed as torch_dist


def release_process_group() -> None:
    """Destroy the default process group, if this process initialised one.

    Call once, after the run's last collective (the end of ``tools/train.py``
    or ``tools/test.py``). Without it, gloo's worker threads can outlive the
    Python interpreter at exit; the rank then aborts with "terminate called
    without an active exception" (SIGABRT) and ``torchrun`` reports a run
    that finished, checkpoints written, as failed. Not called when the run
    raised: destroying the group while other ranks wait in a collective can
    hang them, and ``torchrun`` stops them anyway.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()
