"""Statistics of an empirical privacy audit: epsilon lower bounds.

Pure functions (numpy / scipy), no training wiring. A membership test that
tells two neighbouring worlds apart with true-positive rate TPR and
false-positive rate FPR limits every (epsilon, delta)-DP mechanism by

    TPR <= e^eps FPR + delta        and     1 - FPR <= e^eps (1 - TPR) + delta,

so, solved for epsilon,

    eps >= max(0, log((TPR - delta) / FPR),
                  log((1 - FPR - delta) / (1 - TPR))).

With counts from a finite number of runs, TPR and FPR are only estimated.
Clopper-Pearson (exact binomial) bounds at confidence ``1 - alpha`` (alpha
split evenly between the two rates, a union bound, so the runs of the two
worlds may even be paired) turn the counts into a lower confidence bound
on epsilon that is always finite and never negative (Jagielski et al.
2020, Nasr et al. 2021).

The decision threshold must not be tuned on the runs whose counts give the
bound: :func:`split_threshold_audit` chooses it on one half of the runs
and counts on the other half.
"""
import math
from typing import Dict, Iterable, Mapping, Optional, Sequence, Tuple

import numpy as np
from scipy.stats import beta

#: Sides of a Clopper-Pearson bound.
SIDES = ('lower', 'upper', 'two-sided')


def _check_counts(successes: int, trials: int) -> None:
    if int(trials) != trials or trials < 0:
        raise ValueError(f'trials must be a non-negative integer, got '
                         f'{trials!r}.')
    if int(successes) != successes or not 0 <= successes <= trials:
        raise ValueError(f'successes must be an integer in [0, trials='
                         f'{trials}], got {successes!r}.')


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f'alpha must be in (0, 1) (1 - confidence), got '
                         f'{alpha!r}; e.g. 0.05 for 95 % confidence.')


def _check_delta(delta: float) -> None:
    if not 0 <= delta < 1:
        raise ValueError(f'delta must be in [0, 1), got {delta!r}.')


def clopper_pearson(successes: int, trials: int, *, alpha: float = 0.05,
                    side: str = 'two-sided') -> Tuple[float, float]:
    """Clopper-Pearson confidence interval for a binomial proportion.

    One-sided bounds put all of ``alpha`` on one side; the two-sided
    interval puts ``alpha / 2`` on each. With no trials the interval is
    [0, 1].

    Args:
        successes (int): Number of successes k.
        trials (int): Number of trials n.
        alpha (float): 1 - confidence. Defaults to 0.05.
        side (str): ``'lower'`` (interval ``[lo, 1]``), ``'upper'``
            (``[0, hi]``) or ``'two-sided'``. Defaults to ``'two-sided'``.

    Returns:
        tuple[float, float]: ``(lo, hi)``.
    """
    _check_counts(successes, trials)
    _check_alpha(alpha)
    if side not in SIDES:
        raise ValueError(f'side must be one of {SIDES}, got {side!r}.')
    k, n = int(successes), int(trials)
    tail = alpha / 2 if side == 'two-sided' else alpha
    lo, hi = 0.0, 1.0
    if side in ('lower', 'two-sided') and k > 0:
        lo = float(beta.ppf(tail, k, n - k + 1))
    if side in ('upper', 'two-sided') and k < n:
        hi = float(beta.ppf(1 - tail, k + 1, n - k))
    return lo, hi


def epsilon_from_rates(tpr: float, fpr: float, *, delta: float) -> float:
    """Smallest epsilon that (epsilon, delta)-DP allows for (TPR, FPR).

    ``max(0, log((TPR - delta) / FPR), log((1 - FPR - delta) / (1 - TPR)))``
    where a term whose numerator is not positive is dropped (it constrains
    nothing) and a positive numerator over a zero denominator is infinite.

    Args:
        tpr (float): True-positive rate in [0, 1].
        fpr (float): False-positive rate in [0, 1].
        delta (float): The mechanism's delta, in [0, 1).

    Returns:
        float: Epsilon >= 0; ``math.inf`` when the rates are impossible for
        every finite epsilon (e.g. TPR = 1, FPR = 0).
    """
    for name, value in (('tpr', tpr), ('fpr', fpr)):
        if not 0 <= value <= 1:
            raise ValueError(f'{name} must be in [0, 1], got {value!r}.')
    _check_delta(delta)
    best = 0.0
    for num, den in ((tpr - delta, fpr), (1 - fpr - delta, 1 - tpr)):
        if num <= 0:
            continue
        best = max(best, math.inf if den <= 0 else math.log(num / den))
    return best


def epsilon_lower_bound(*, true_positives: int, positives: int,
                        false_positives: int, negatives: int,
                        delta: float, alpha: float = 0.05) -> float:
    """Lower confidence bound on epsilon from a test's counts.

    Uses the one-sided Clopper-Pearson lower bound on TPR and upper bound
    on FPR, each at ``alpha / 2``; with probability at least ``1 - alpha``
    both hold, and then the true epsilon is at least the result.

    Args:
        true_positives (int): Runs of the WITH world called "member".
        positives (int): Runs of the WITH world.
        false_positives (int): Runs of the WITHOUT world called "member".
        negatives (int): Runs of the WITHOUT world.
        delta (float): The mechanism's delta.
        alpha (float): 1 - confidence. Defaults to 0.05.

    Returns:
        float: Epsilon lower bound, finite and >= 0 (0 with no runs).
    """
    tpr_lo, _ = clopper_pearson(true_positives, positives, alpha=alpha / 2,
                                side='lower')
    _, fpr_hi = clopper_pearson(false_positives, negatives, alpha=alpha / 2,
                                side='upper')
    return epsilon_from_rates(tpr_lo, fpr_hi, delta=delta)


def epsilon_interval(*, true_positives: int, positives: int,
                     false_positives: int, negatives: int, delta: float,
                     alpha: float = 0.05) -> Tuple[float, float]:
    """Two-sided confidence interval for the test's epsilon.

    The epsilon of :func:`epsilon_from_rates` grows with TPR and falls with
    FPR, so the box of two-sided Clopper-Pearson intervals (each at
    ``alpha / 2``, i.e. ``alpha / 4`` per tail) maps to an interval with
    coverage at least ``1 - alpha``. Its lower end is therefore a little
    below the one-sided :func:`epsilon_lower_bound` at the same alpha.

    Args:
        true_positives (int): Runs of the WITH world called "member".
        positives (int): Runs of the WITH world.
        false_positives (int): Runs of the WITHOUT world called "member".
        negatives (int): Runs of the WITHOUT world.
        delta (float): The mechanism's delta.
        alpha (float): 1 - confidence. Defaults to 0.05.

    Returns:
        tuple[float, float]: ``(lo, hi)``; ``hi`` is ``math.inf`` when no
        WITHOUT run was called "member" (FPR's lower bound is 0).
    """
    tpr_lo, tpr_hi = clopper_pearson(true_positives, positives,
                                     alpha=alpha / 2)
    fpr_lo, fpr_hi = clopper_pearson(false_positives, negatives,
                                     alpha=alpha / 2)
    return (epsilon_from_rates(tpr_lo, fpr_hi, delta=delta),
            epsilon_from_rates(tpr_hi, fpr_lo, delta=delta))


def jeffreys_rate(successes: int, trials: int) -> float:
    """Point estimate ``(k + 1/2) / (n + 1)`` (Jeffreys prior mean).

    Unlike ``k / n`` it is never 0 or 1, so the epsilon point estimate
    stays finite when a test separates the runs perfectly.

    Args:
        successes (int): k.
        trials (int): n.

    Returns:
        float: The rate estimate (0.5 with no trials).
    """
    _check_counts(successes, trials)
    return (successes + 0.5) / (trials + 1)


def counts_at_threshold(scores_with: Iterable[float],
                        scores_without: Iterable[float],
                        threshold: float) -> Dict[str, int]:
    """Counts of the test "member if score <= threshold".

    Args:
        scores_with (Iterable[float]): Scores of the WITH-world runs.
        scores_without (Iterable[float]): Scores of the WITHOUT-world runs.
        threshold (float): Decision threshold.

    Returns:
        dict: ``true_positives``, ``positives``, ``false_positives``,
        ``negatives``.
    """
    pos = np.asarray(list(scores_with), dtype=float)
    neg = np.asarray(list(scores_without), dtype=float)
    return dict(true_positives=int((pos <= threshold).sum()),
                positives=int(pos.size),
                false_positives=int((neg <= threshold).sum()),
                negatives=int(neg.size))


def select_threshold(scores_with: Sequence[float],
                     scores_without: Sequence[float], *, delta: float,
                     alpha: float = 0.05) -> float:
    """Threshold that maximises the epsilon lower bound on these scores.

    Candidates are every observed score and -inf (no run called member).
    Ties (e.g. all bounds 0 when the worlds overlap) are broken by the
    largest TPR - FPR, then by the smallest threshold.

    Args:
        scores_with (Sequence[float]): WITH-world scores (selection half).
        scores_without (Sequence[float]): WITHOUT-world scores.
        delta (float): The mechanism's delta.
        alpha (float): 1 - confidence of the bound being maximised.

    Returns:
        float: The threshold (member if score <= threshold).
    """
    candidates = sorted(set(float(s) for s in scores_with)
                        | set(float(s) for s in scores_without))
    best_key, best = None, -math.inf
    for threshold in [-math.inf] + candidates:
        c = counts_at_threshold(scores_with, scores_without, threshold)
        bound = epsilon_lower_bound(delta=delta, alpha=alpha, **c)
        tpr = c['true_positives'] / max(c['positives'], 1)
        fpr = c['false_positives'] / max(c['negatives'], 1)
        key = (bound, tpr - fpr)
        if best_key is None or key > best_key:
            best_key, best = key, threshold
    return best


def split_threshold_audit(scores_with: Mapping[int, float],
                          scores_without: Mapping[int, float], *,
                          delta: float, alpha: float = 0.05) -> Dict:
    """Epsilon lower bound with the threshold chosen on held-out runs.

    Runs are keyed by pair index (a WITH and a WITHOUT run may share seeds
    when they have the same key). Pairs with an even index form the
    *selection* half, where :func:`select_threshold` picks the threshold;
    pairs with an odd index form the *evaluation* half, whose counts alone
    give the bound, interval and point estimate. Both halves are split by
    pair, so no run of the evaluation half shares seeds with a run that
    chose the threshold, and the bound keeps its confidence level.

    Args:
        scores_with (Mapping[int, float]): WITH-world score per pair index.
        scores_without (Mapping[int, float]): WITHOUT-world score per pair.
        delta (float): The mechanism's delta.
        alpha (float): 1 - confidence. Defaults to 0.05.

    Returns:
        dict: ``threshold``, ``rule``, ``selection`` and ``evaluation``
        counts, ``epsilon_lower_bound`` (one-sided, ``1 - alpha``),
        ``epsilon_ci`` (two-sided ``[lo, hi]``, ``hi`` None when
        unbounded), ``epsilon_point`` (from Jeffreys rates), ``tpr`` and
        ``fpr`` (empirical, evaluation half), ``alpha``, ``delta``,
        ``split``.
    """
    _check_alpha(alpha)
    _check_delta(delta)

    def half(scores, parity):
        return [float(s) for k, s in sorted(scores.items())
                if int(k) % 2 == parity]

    select = (half(scores_with, 0), half(scores_without, 0))
    evaluate = (half(scores_with, 1), half(scores_without, 1))
    threshold = select_threshold(*select, delta=delta, alpha=alpha)
    sel_counts = counts_at_threshold(*select, threshold)
    counts = counts_at_threshold(*evaluate, threshold)
    lower = epsilon_lower_bound(delta=delta, alpha=alpha, **counts)
    lo, hi = epsilon_interval(delta=delta, alpha=alpha, **counts)
    tpr = jeffreys_rate(counts['true_positives'], counts['positives'])
    fpr = jeffreys_rate(counts['false_positives'], counts['negatives'])
    return dict(
        threshold=threshold,
        rule='member if score <= threshold',
        split=('threshold chosen on the pairs with an even index, counts '
               'from the pairs with an odd index'),
        selection=sel_counts,
        evaluation=counts,
        tpr=counts['true_positives'] / max(counts['positives'], 1),
        fpr=counts['false_positives'] / max(counts['negatives'], 1),
        epsilon_lower_bound=lower,
        epsilon_ci=[lo, None if math.isinf(hi) else hi],
        epsilon_point=epsilon_from_rates(tpr, fpr, delta=delta),
        alpha=alpha,
        delta=delta)


def describe_threshold(threshold: Optional[float]) -> str:
    """A threshold as text (``-inf``: the test never says "member")."""
    if threshold is None or math.isinf(threshold):
        return '-inf (never "member")'
    return f'{threshold:.6g}'
