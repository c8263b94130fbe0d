"""PoissonBatchSampler draws every record independently with rate q."""
import numpy as np
import pytest
from mmengine.dataset import DefaultSampler

from mmaction.registry import DATA_SAMPLERS
from mmprivact.datasets.samplers import poisson_batch_sampler as module
from mmprivact.datasets.samplers import PoissonBatchSampler


class _Dataset:

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


def _sampler(n, batch_size, **kwargs):
    base = DefaultSampler(_Dataset(n), shuffle=True, seed=0)
    return PoissonBatchSampler(base, batch_size, seed=1, **kwargs)


def _epochs(sampler, epochs):
    out = []
    for e in range(epochs):
        sampler.set_epoch(e)
        out.extend(list(sampler))
    return out


def test_rate_length_and_inclusion_frequencies():
    n, b = 200, 10
    s = _sampler(n, b)
    assert s.sample_rate == pytest.approx(0.05) and len(s) == 20
    batches = _epochs(s, 200)  # 4000 steps
    assert all(len(set(x)) == len(x) for x in batches)  # no repeats
    counts = np.bincount(np.concatenate([x for x in batches if x]),
                         minlength=n)
    steps, q = len(batches), s.sample_rate
    mean, sd = steps * q, np.sqrt(steps * q * (1 - q))
    assert np.abs(counts - mean).max() < 5 * sd  # every record ~ q
    sizes = np.array([len(x) for x in batches])
    assert sizes.mean() == pytest.approx(b, rel=0.03)
    assert sizes.var() == pytest.approx(n * q * (1 - q), rel=0.15)


def test_records_are_included_independently():
    s = _sampler(50, 5)  # q = 0.1
    batches = _epochs(s, 400)
    inc = np.zeros((len(batches), 50), bool)
    for t, x in enumerate(batches):
        inc[t, x] = True
    together = (inc[:, 0] & inc[:, 1]).mean()
    assert together == pytest.approx(0.01, abs=0.004)  # q**2


def test_empty_batches_happen_and_are_yielded():
    s = _sampler(10, 1)  # q = 0.1, P(empty) = 0.9**10 = 0.35
    sizes = [len(x) for x in _epochs(s, 100)]
    assert 0.25 < np.mean([z == 0 for z in sizes]) < 0.45


def test_deterministic_per_seed_and_epoch():
    a, b = _sampler(100, 8), _sampler(100, 8)
    a.set_epoch(3)
    b.set_epoch(3)
    assert list(a) == list(b)
    b.set_epoch(4)
    assert list(a) != list(b)


def test_epoch_follows_the_wrapped_sampler():
    """MMEngine's DistSamplerSeedHook sets the epoch on the inner sampler."""
    s = _sampler(100, 8)
    s.sampler.set_epoch(5)
    direct = _sampler(100, 8)
    direct.set_epoch(5)
    assert s.epoch == 5 and list(s) == list(direct)


def test_ranks_sample_disjoint_shards_with_the_global_rate(monkeypatch):
    n, b, world = 101, 5, 2
    shards, samplers = [], []
    for rank in range(world):
        monkeypatch.setattr(module, 'get_dist_info',
                            lambda r=rank: (r, world))
        s = _sampler(n, b)
        samplers.append(s)
        shards.append(set(s.indices.tolist()))
        assert s.sample_rate == pytest.approx(b * world / n)
    assert not shards[0] & shards[1]
    assert shards[0] | shards[1] == set(range(n))
    for s, shard in zip(samplers, shards):
        assert set(np.concatenate(_epochs(s, 20))) <= shard


@pytest.mark.parametrize('kwargs,match', [
    (dict(n=10, batch_size=11), 'exceeds the dataset size'),
    (dict(n=10, batch_size=0), 'positive int'),
    (dict(n=10, batch_size=2, drop_last=True), 'drop_last'),
])
def test_bad_settings_say_how_to_fix(kwargs, match):
    n = kwargs.pop('n')
    with pytest.raises(ValueError, match=match):
        _sampler(n, kwargs.pop('batch_size'), **kwargs)


def test_needs_a_sampler_with_a_dataset():
    with pytest.raises(TypeError, match='DefaultSampler'):
        PoissonBatchSampler(range(10), 2)


def test_built_from_config_by_mmengine_runner():
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope('mmaction')
    loader = Runner.build_dataloader(dict(
        dataset=_Dataset(60), batch_size=6, num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=True),
        batch_sampler=dict(type='PoissonBatchSampler', seed=0),
        collate_fn=dict(type='pseudo_collate')), seed=0)
    assert isinstance(loader.batch_sampler, PoissonBatchSampler)
    assert len(loader) == 10
    assert DATA_SAMPLERS.get('PoissonBatchSampler') is PoissonBatchSampler
