"""release_process_group tears down the group train.py/test.py created."""
import torch.distributed as dist

from mmprivact.engine.runner import release_process_group


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
