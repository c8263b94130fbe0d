"""The paired comparison's interval agrees with scipy's paired t-test, and
unpaired or too few seeds are refused with the fix."""
import numpy as np
import pytest
from scipy import stats

from mmprivact.evaluation.paired_seed_comparison import PairedSeedComparison


@pytest.mark.parametrize('confidence', [0.9, 0.95, 0.99])
def test_interval_matches_scipy_paired_t_test(confidence):
    rng = np.random.default_rng(0)
    raw = rng.uniform(40, 70, size=7)
    treated = raw - rng.normal(12, 4, size=7)
    cmp = PairedSeedComparison.from_runs(
        dict(enumerate(raw)), dict(enumerate(treated)),
        confidence=confidence)
    expected = stats.ttest_rel(raw, treated).confidence_interval(
        confidence_level=confidence)
    assert cmp.mean_difference == pytest.approx(np.mean(raw - treated))
    assert cmp.std_difference == pytest.approx(np.std(raw - treated, ddof=1))
    assert cmp.interval == pytest.approx([expected.low, expected.high])


def test_pairs_by_seed_not_by_order():
    cmp = PairedSeedComparison.from_runs({3: 60.0, 1: 50.0},
                                         {1: 45.0, 3: 40.0})
    assert cmp.seeds == [1, 3]
    assert cmp.differences == [5.0, 20.0]
    d = cmp.to_dict()
    assert (d['mean_reference'], d['mean_treated']) == (55.0, 42.5)
    assert d['interval'] == cmp.interval


def test_refuses_unpaired_seeds_few_seeds_and_bad_confidence():
    with pytest.raises(ValueError, match=r'seeds \[2\] are in one arm only'):
        PairedSeedComparison.from_runs({0: 1., 1: 2., 2: 3.}, {0: 1., 1: 2.})
    with pytest.raises(ValueError, match='at least 2 seeds'):
        PairedSeedComparison.from_runs({0: 1.}, {0: 2.})
    with pytest.raises(ValueError, match='confidence must be in'):
        PairedSeedComparison.from_runs({0: 1., 1: 2.}, {0: 1., 1: 3.},
                                       confidence=95)
