"""Under DDP (2 CPU processes, gloo) the private step is the single-process
step on the union of the ranks' batches, with noise added once in total."""
import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from .private_model import (build_model, build_wrapper, make_batch,
                            private_direction, random_batch)

SIGMA, C, E = 2.0, 0.5, 4.0


def _worker(rank, world, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world)
    import mmprivact  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    videos, labels, masks = random_batch(4, seed=5)
    mine = slice(2 * rank, 2 * rank + 2)
    model = build_model('maskdp')
    wrapper = build_wrapper(model, max_grad_norm=C, noise_seed=rank)
    wrapper.configure_privacy(noise_multiplier=1e-9, expected_batch_size=E)
    direction = private_direction(
        model, wrapper, make_batch(videos[mine], labels[mine], masks[mine]))
    # Noise only (an empty batch on both ranks), one real step.
    wrapper.configure_privacy(noise_multiplier=SIGMA, expected_batch_size=E)
    before = torch.cat([p.detach().flatten().clone()
                        for p in model.parameters()])
    wrapper.empty_batch_step()
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    torch.save(dict(direction=[d.clone() for d in direction],
                    update=before - after),
               os.path.join(out_dir, f'rank{rank}.pt'))
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_ranks_equal_one_process_and_add_noise_once(tmp_path, free_port):
    mp.start_processes(_worker, args=(2, free_port, str(tmp_path)),
                       nprocs=2, join=True, start_method='fork')
    ranks = [torch.load(tmp_path / f'rank{r}.pt') for r in range(2)]
    import mmprivact  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    # Both ranks hold the same all-reduced direction ...
    for a, b in zip(ranks[0]['direction'], ranks[1]['direction']):
        torch.testing.assert_close(a, b)
    # ... equal to one process clipping all four videos.
    videos, labels, masks = random_batch(4, seed=5)
    model = build_model('maskdp')
    wrapper = build_wrapper(model, max_grad_norm=C)
    wrapper.configure_privacy(noise_multiplier=1e-9, expected_batch_size=E)
    single = private_direction(model, wrapper,
                               make_batch(videos, labels, masks))
    for a, b in zip(ranks[0]['direction'], single):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-7)
    # The noise step: identical on both ranks, std sigma * C / E (once in
    # total, not once per rank: that would give sqrt(2) times more).
    update = ranks[0]['update']
    torch.testing.assert_close(update, ranks[1]['update'])
    ratio = update.std().item() / (SIGMA * C / E)
    assert abs(ratio - 1) < 5 / (2 * update.numel())**0.5
