"""Poisson sampling of batches, as the sub-sampled Gaussian analysis needs."""
from typing import Iterator, List, Optional

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmaction.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class PoissonBatchSampler(Sampler):
    """Batches in which every record is included independently with rate q.

    DP-SGD's and MaskDP's privacy accounting assume Poisson sampling: at each
    step every record joins the batch independently with probability
    ``q = expected batch size / dataset size``. Batches therefore vary in
    size and may be empty; the optimizer must still step (adding noise) on
    an empty batch.

    Used as a ``batch_sampler`` of an MMEngine dataloader; ``batch_size``
    becomes the *expected* batch size per rank::

        train_dataloader = dict(
            batch_size=16,
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_sampler=dict(type='PoissonBatchSampler'))

    Under DDP each rank samples its own disjoint shard (records
    ``rank, rank + W, ...``) with the same rate ``q = batch_size * W / N``,
    so the union over ranks is one Poisson sample of the whole dataset.
    Batches are a function of ``(seed, epoch, rank)`` only, so resuming at an
    epoch boundary replays exactly the batches an uninterrupted run would
    have drawn; the epoch is taken from the wrapped sampler, whose
    ``set_epoch`` MMEngine's ``DistSamplerSeedHook`` calls.

    Args:
        sampler (Sampler): The dataloader's sampler; only its ``dataset``
            (and ``epoch``) are used, its order is not.
        batch_size (int): Expected batch size per rank.
        drop_last (bool): Accepted for interface compatibility; must be
            False (dropping small batches would change the mechanism).
        seed (int, optional): Random seed, shared by all ranks. Defaults to
            a seed synchronised across ranks.
        steps_per_epoch (int, optional): Batches per epoch. Defaults to
            ``round(1 / q)``, one expected pass over the data.
    """

    def __init__(self,
                 sampler: Sampler,
                 batch_size: int,
                 drop_last: bool = False,
                 *,
                 seed: Optional[int] = None,
                 steps_per_epoch: Optional[int] = None) -> None:
        dataset = getattr(sampler, 'dataset', None)
        if dataset is None:
            raise TypeError(
                'PoissonBatchSampler needs the dataloader sampler to expose '
                f'its dataset; {type(sampler).__name__} does not. Use '
                "sampler=dict(type='DefaultSampler').")
        if drop_last:
            raise ValueError(
                'PoissonBatchSampler cannot drop small batches: variable '
                'batch sizes are part of Poisson sampling. Remove drop_last.')
        rank, world_size = get_dist_info()
        num_records = len(dataset)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f'batch_size must be a positive int (the '
                             f'expected batch size), got {batch_size!r}.')
        sample_rate = batch_size * world_size / num_records
        if sample_rate > 1:
            raise ValueError(
                f'Expected batch size {batch_size} x {world_size} rank(s) '
                f'exceeds the dataset size {num_records}: the sampling rate '
                f'would be {sample_rate:.3f} > 1. Lower batch_size.')
        if steps_per_epoch is not None and steps_per_epoch < 1:
            raise ValueError(f'steps_per_epoch must be >= 1, got '
                             f'{steps_per_epoch}.')
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = False
        self.sample_rate = sample_rate
        self.num_records = num_records
        self.rank, self.world_size = rank, world_size
        self.indices = np.arange(rank, num_records, world_size)
        self.steps_per_epoch = (steps_per_epoch if steps_per_epoch is not None
                                else max(1, round(1 / sample_rate)))
        self.seed = sync_random_seed() if seed is None else int(seed)
        self._epoch: Optional[int] = None

    @property
    def epoch(self) -> int:
        """Current epoch: ours if set, else the wrapped sampler's."""
        if self._epoch is not None:
            return self._epoch
        return int(getattr(self.sampler, 'epoch', 0))

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch whose batches :meth:`__iter__` yields."""
        self._epoch = int(epoch)
        if hasattr(self.sampler, 'set_epoch'):
            self.sampler.set_epoch(epoch)

    def __iter__(self) -> Iterator[List[int]]:
        rng = np.random.default_rng(
            np.random.SeedSequence([self.seed, self.epoch, self.rank]))
        for _ in range(self.steps_per_epoch):
            chosen = rng.random(len(self.indices)) < self.sample_rate
            yield self.indices[chosen].tolist()

    def __len__(self) -> int:
        return self.steps_per_epoch
