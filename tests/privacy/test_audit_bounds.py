"""Audit statistics: Clopper-Pearson bounds match the binomial tails and
hand-computed values, the epsilon bound is finite, non-negative, monotone
and holds with the stated confidence on a mechanism of known epsilon, and
the threshold is chosen on runs that do not give the counts."""
import math

import numpy as np
import pytest
from scipy.stats import beta, binom

from mmprivact.privacy.audit_bounds import (clopper_pearson,
                                            counts_at_threshold,
                                            epsilon_from_rates,
                                            epsilon_interval,
                                            epsilon_lower_bound,
                                            jeffreys_rate, select_threshold,
                                            split_threshold_audit)


def test_clopper_pearson_is_the_exact_binomial_tail_inversion():
    lo, hi = clopper_pearson(5, 20, alpha=0.05)
    # Published Clopper-Pearson interval for 5/20 at 95 %.
    assert lo == pytest.approx(0.0866, abs=1e-4)
    assert hi == pytest.approx(0.4910, abs=1e-4)
    # Definition: P(X >= k | lo) = alpha/2 and P(X <= k | hi) = alpha/2.
    assert binom.sf(4, 20, lo) == pytest.approx(0.025, rel=1e-6)
    assert binom.cdf(5, 20, hi) == pytest.approx(0.025, rel=1e-6)
    # One-sided bounds put all of alpha on their side.
    assert clopper_pearson(5, 20, alpha=0.05, side='lower') == (
        pytest.approx(beta.ppf(0.05, 5, 16)), 1.0)
    assert clopper_pearson(5, 20, alpha=0.05, side='upper') == (
        0.0, pytest.approx(beta.ppf(0.95, 6, 15)))


def test_clopper_pearson_edges():
    assert clopper_pearson(0, 10, side='lower') == (0.0, 1.0)
    assert clopper_pearson(10, 10, side='upper') == (0.0, 1.0)
    # k = n: the lower bound solves p^n = alpha.
    lo, _ = clopper_pearson(10, 10, alpha=0.05, side='lower')
    assert lo == pytest.approx(0.05**(1 / 10))
    # k = 0: the upper bound solves (1 - p)^n = alpha.
    _, hi = clopper_pearson(0, 10, alpha=0.05, side='upper')
    assert hi == pytest.approx(1 - 0.05**(1 / 10))
    assert clopper_pearson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize('kwargs,name', [
    (dict(successes=3, trials=2), 'successes'),
    (dict(successes=-1, trials=2), 'successes'),
    (dict(successes=1, trials=2.5), 'trials'),
    (dict(successes=1, trials=2, alpha=0.0), 'alpha'),
    (dict(successes=1, trials=2, side='both'), 'side'),
])
def test_clopper_pearson_names_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        clopper_pearson(**kwargs)


def test_epsilon_from_rates_by_hand():
    assert epsilon_from_rates(0.5, 0.5, delta=0) == 0.0
    assert epsilon_from_rates(0.9, 0.1, delta=0) == pytest.approx(
        math.log(9))
    # The first inequality dominates: log(0.5 / 0.05) > log(0.95 / 0.5).
    assert epsilon_from_rates(0.5, 0.05, delta=0) == pytest.approx(
        math.log(10))
    # The second one dominates: log(0.5 / 0.05) from 1 - FPR over 1 - TPR.
    assert epsilon_from_rates(0.95, 0.5, delta=0) == pytest.approx(
        math.log(10))
    # delta is subtracted from the numerators.
    assert epsilon_from_rates(0.5, 0.05, delta=0.1) == pytest.approx(
        math.log(8))
    # A test worse than chance bounds nothing; TPR <= delta neither.
    assert epsilon_from_rates(0.1, 0.9, delta=0) == 0.0
    assert epsilon_from_rates(0.05, 0.0, delta=0.1) == 0.0
    assert epsilon_from_rates(1.0, 0.0, delta=1e-5) == math.inf
    with pytest.raises(ValueError, match='tpr'):
        epsilon_from_rates(1.5, 0.1, delta=0)
    with pytest.raises(ValueError, match='delta'):
        epsilon_from_rates(0.5, 0.1, delta=1.0)


def test_perfect_separation_at_100_runs_by_hand():
    # TPR = 100/100, FPR = 0/100: one-sided bounds at alpha/2 = 0.025
    # are p = 0.025^(1/100) and 1 - p, so eps = log(p / (1 - p)).
    p = 0.9637833073548235
    assert p == pytest.approx(0.025**(1 / 100))
    bound = epsilon_lower_bound(true_positives=100, positives=100,
                                false_positives=0, negatives=100, delta=0)
    assert bound == pytest.approx(3.2813463490987864, rel=1e-9)
    # With delta = 1e-5 the first term is log((p - 1e-5) / (1 - p)).
    with_delta = epsilon_lower_bound(true_positives=100, positives=100,
                                     false_positives=0, negatives=100,
                                     delta=1e-5)
    assert with_delta == pytest.approx(math.log((p - 1e-5) / (1 - p)))
    # 50 runs per world: 0.025^(1/50).
    assert epsilon_lower_bound(
        true_positives=50, positives=50, false_positives=0, negatives=50,
        delta=0) == pytest.approx(2.569584683016492, rel=1e-9)


def test_lower_bound_is_finite_nonnegative_and_monotone():
    n = 8
    table = np.zeros((n + 1, n + 1))
    for tp in range(n + 1):
        for fp in range(n + 1):
            b = epsilon_lower_bound(true_positives=tp, positives=n,
                                    false_positives=fp, negatives=n,
                                    delta=1e-5)
            assert math.isfinite(b) and b >= 0
            table[tp, fp] = b
    assert (np.diff(table, axis=0) >= 0).all()  # more TP: not lower
    assert (np.diff(table, axis=1) <= 0).all()  # more FP: not higher
    assert table[n, 0] > 0 and table[n // 2, n // 2] == 0
    assert epsilon_lower_bound(true_positives=0, positives=0,
                               false_positives=0, negatives=0,
                               delta=1e-5) == 0.0


def test_interval_brackets_point_and_is_wider_than_one_sided():
    counts = dict(true_positives=40, positives=50, false_positives=10,
                  negatives=50)
    lo, hi = epsilon_interval(delta=1e-5, **counts)
    one_sided = epsilon_lower_bound(delta=1e-5, **counts)
    point = epsilon_from_rates(jeffreys_rate(40, 50), jeffreys_rate(10, 50),
                               delta=1e-5)
    assert lo <= one_sided <= point <= hi < math.inf
    _, unbounded = epsilon_interval(delta=1e-5, true_positives=5,
                                    positives=10, false_positives=0,
                                    negatives=10)
    assert unbounded == math.inf
    assert jeffreys_rate(0, 10) == pytest.approx(0.5 / 11)


def test_bound_holds_with_stated_confidence_on_known_epsilon():
    """Randomized response with epsilon 1 has TPR = e/(1+e), FPR =
    1/(1+e) for the test "member if it says yes"; the 95 % bound may
    exceed 1 in at most about 5 % of repeated audits, and is informative."""
    eps, n, reps = 1.0, 200, 400
    tpr, fpr = math.exp(eps) / (1 + math.exp(eps)), 1 / (1 + math.exp(eps))
    rng = np.random.default_rng(0)
    bounds = np.array([
        epsilon_lower_bound(true_positives=int(rng.binomial(n, tpr)),
                            positives=n,
                            false_positives=int(rng.binomial(n, fpr)),
                            negatives=n, delta=0, alpha=0.05)
        for _ in range(reps)])
    assert (bounds > eps).mean() <= 0.05
    assert bounds.mean() > 0.4  # not vacuous


def test_threshold_selection_and_counts():
    pos, neg = [-3.0, -2.0, 0.5], [1.0, 2.0, -2.5]
    assert counts_at_threshold(pos, neg, -2.0) == dict(
        true_positives=2, positives=3, false_positives=1, negatives=3)
    # Perfectly separable: the chosen threshold separates them.
    t = select_threshold([-3.0, -2.0, -1.0] * 4, [1.0, 2.0, 3.0] * 4,
                         delta=0)
    assert -1.0 <= t < 1.0
    # Nothing separates: ties broken by TPR - FPR, never an error.
    t = select_threshold([0.0] * 4, [0.0] * 4, delta=0)
    assert t in (-math.inf, 0.0)


def test_split_threshold_audit_uses_held_out_pairs():
    rng = np.random.default_rng(1)
    pairs = 100
    with_scores = {p: float(rng.normal(-3, 0.3)) for p in range(pairs)}
    without_scores = {p: float(rng.normal(3, 0.3)) for p in range(pairs)}
    result = split_threshold_audit(with_scores, without_scores, delta=1e-5)
    ev = result['evaluation']
    assert (ev['positives'], ev['negatives']) == (50, 50)
    assert (ev['true_positives'], ev['false_positives']) == (50, 0)
    assert result['epsilon_lower_bound'] == pytest.approx(
        epsilon_lower_bound(true_positives=50, positives=50,
                            false_positives=0, negatives=50, delta=1e-5))
    assert result['epsilon_ci'][1] is None  # FP = 0: unbounded above
    assert 'even' in result['split'] and 'odd' in result['split']
    # The threshold depends on the even pairs only ...
    moved = dict(with_scores)
    for p in range(1, pairs, 2):
        moved[p] = 10.0  # odd WITH runs now all look like non-members
    again = split_threshold_audit(moved, without_scores, delta=1e-5)
    assert again['threshold'] == result['threshold']
    # ... and the counts on the odd pairs only.
    assert again['evaluation']['true_positives'] == 0
    assert again['epsilon_lower_bound'] == 0.0
    assert again['selection'] == result['selection']


def test_split_threshold_audit_on_indistinguishable_worlds():
    rng = np.random.default_rng(2)
    scores = [{p: float(rng.normal()) for p in range(60)} for _ in range(2)]
    result = split_threshold_audit(*scores, delta=1e-5)
    assert math.isfinite(result['epsilon_lower_bound'])
    assert 0 <= result['epsilon_lower_bound'] < 1.0
