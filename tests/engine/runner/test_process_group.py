"""release_process_group tears down the group train.py/test.py created,
including one that reference cycles (a runner, a DDP wrapper) still hold."""
import os
import time

import torch.distributed as dist

from mmprivact.engine.runner import release_process_group


def _gloo_threads():
    """Names of this process's gloo threads (Linux)."""
    names = []
    for task in os.listdir('/proc/self/task'):
        try:
            with open(f'/proc/self/task/{task}/comm') as f:
                names.append(f.read().strip())
        except OSError:  # The thread ended meanwhile.
            pass
    return [n for n in names if 'gloo' in n]


def test_destroys_an_initialised_group_and_is_a_no_op_without_one(tmp_path):
    assert not dist.is_initialized()
    release_process_group()  # No group: nothing to do, no error.
    store = dist.FileStore(str(tmp_path / 'store'), 1)
    dist.init_process_group('gloo', store=store, rank=0, world_size=1)
    try:
        assert dist.is_initialized()
        release_process_group()
        assert not dist.is_initialized()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def test_joins_gloo_threads_held_by_a_reference_cycle(tmp_path):
    store = dist.FileStore(str(tmp_path / 'store'), 1)
    dist.init_process_group('gloo', store=store, rank=0, world_size=1)
    try:
        # A new thread names itself once it runs, a moment after
        # init_process_group returns; without the wait this check flaked.
        deadline = time.monotonic() + 10
        while not _gloo_threads() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _gloo_threads(), 'gloo started no threads to check'
        holder = dict(group=dist.group.WORLD)
        holder['self'] = holder  # A cycle, as the runner and its hooks.
        del holder
        release_process_group()
        # Left to interpreter shutdown, these threads abort the process.
        assert _gloo_threads() == []
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
