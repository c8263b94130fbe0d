"""Scores of an attribute attacker: AP, class-mean AP, macro-F1, top-1.

Pure numpy, no sklearn. The conventions follow what SPAct (Dave et al.,
CVPR 2022) reports through scikit-learn, so numbers are comparable:

* **AP** is scikit-learn's ``average_precision_score`` for one class: the
  non-interpolated area under the precision/recall step curve,
  ``sum_n (R_n - R_{n-1}) * P_n`` over the distinct score thresholds in
  decreasing order. Without ties this equals the mean, over the positives,
  of the precision at each positive's rank. **Ties:** samples with equal
  scores form one threshold and enter the ranking together (no arbitrary
  order among them, so the result does not depend on the input order). A
  constant score therefore gets AP = the positive rate.
* **cMAP** is the mean AP over the classes that have at least one positive
  in ``targets``; AP of a class without a positive is undefined and
  reported as NaN.
* **macro-F1** thresholds scores at ``>= threshold`` per class,
  ``F1 = 2TP / (2TP + FP + FN)``, and averages over the classes with at
  least one positive (the others are NaN, as for AP). For a class with a
  positive the denominator is never zero. Note scikit-learn would count a
  class without positives as F1 = 0; we skip it, like cMAP.

All scores are fractions in [0, 1], not percent.
"""
from typing import Tuple

import numpy as np


def _as_matrices(scores, targets) -> Tuple[np.ndarray, np.ndarray]:
    """Validate and return ``(scores float64 (N, K), targets bool (N, K))``."""
    s = np.asarray(scores, dtype=np.float64)
    t = np.asarray(targets)
    if s.ndim == 1:
        s = s[:, None]
    if t.ndim == 1:
        t = t[:, None]
    if s.ndim != 2 or s.shape != t.shape:
        raise ValueError(f'scores and targets must both be (N, K) with the '
                         f'same shape; got {np.shape(scores)} and '
                         f'{np.shape(targets)}.')
    if s.shape[0] == 0:
        raise ValueError('scores and targets are empty (N = 0).')
    if not np.all(np.isfinite(s)):
        raise ValueError('scores contain NaN or infinite values.')
    if not np.all((t == 0) | (t == 1)):
        raise ValueError('targets must be multi-hot: every entry 0 or 1.')
    return s, t.astype(bool)


def _binary_ap(score: np.ndarray, positive: np.ndarray) -> float:
    """AP of one class; NaN when it has no positive."""
    num_pos = int(positive.sum())
    if num_pos == 0:
        return float('nan')
    order = np.argsort(-score, kind='stable')
    score, positive = score[order], positive[order]
    # Last index of every group of tied scores: one threshold per group.
    ends = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    tp = np.cumsum(positive)[ends]
    precision = tp / (ends + 1.0)
    recall = tp / num_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def average_precision(scores, targets) -> np.ndarray:
    """Per-class average precision.

    Args:
        scores (array-like): (N, K) scores (any monotonic scale: logits or
            probabilities give the same AP), or (N,) for one class.
        targets (array-like): (N, K) multi-hot ground truth (0/1).

    Returns:
        np.ndarray: (K,) AP per class in [0, 1]; NaN for a class without a
        positive in ``targets``.
    """
    s, t = _as_matrices(scores, targets)
    return np.array([_binary_ap(s[:, k], t[:, k]) for k in range(s.shape[1])])


def class_mean_average_precision(scores, targets
                                 ) -> Tuple[float, np.ndarray]:
    """Class-mean average precision (cMAP).

    Args:
        scores (array-like): (N, K) scores.
        targets (array-like): (N, K) multi-hot ground truth.

    Returns:
        tuple[float, np.ndarray]: cMAP (mean AP over classes with at least
        one positive) and the (K,) per-class AP (NaN where skipped).

    Raises:
        ValueError: If no class has a positive in ``targets``.
    """
    ap = average_precision(scores, targets)
    if np.all(np.isnan(ap)):
        raise ValueError('cMAP is undefined: no class has a positive sample '
                         'in targets (check the labels of the test split).')
    return float(np.nanmean(ap)), ap


def f1_per_class(scores, targets, threshold: float = 0.5) -> np.ndarray:
    """Per-class F1 of the predictions ``scores >= threshold``.

    Args:
        scores (array-like): (N, K) scores, on the scale of ``threshold``
            (probabilities for the default 0.5).
        targets (array-like): (N, K) multi-hot ground truth.
        threshold (float): Decision threshold.

    Returns:
        np.ndarray: (K,) F1 in [0, 1]; NaN for a class without a positive.
    """
    s, t = _as_matrices(scores, targets)
    pred = s >= threshold
    tp = np.sum(pred & t, axis=0).astype(np.float64)
    fp = np.sum(pred & ~t, axis=0)
    fn = np.sum(~pred & t, axis=0)
    has_pos = t.any(axis=0)
    f1 = np.full(s.shape[1], np.nan)
    f1[has_pos] = 2 * tp[has_pos] / (2 * tp[has_pos] + fp[has_pos]
                                     + fn[has_pos])
    return f1


def macro_f1(scores, targets, threshold: float = 0.5) -> float:
    """Macro-F1: mean of :func:`f1_per_class` over classes with a positive.

    Args:
        scores (array-like): (N, K) scores (probabilities for 0.5).
        targets (array-like): (N, K) multi-hot ground truth.
        threshold (float): Decision threshold (``score >= threshold``).

    Returns:
        float: Macro-F1 in [0, 1].

    Raises:
        ValueError: If no class has a positive in ``targets``.
    """
    f1 = f1_per_class(scores, targets, threshold)
    if np.all(np.isnan(f1)):
        raise ValueError('macro-F1 is undefined: no class has a positive '
                         'sample in targets.')
    return float(np.nanmean(f1))


def top1_accuracy(scores, labels) -> float:
    """Single-label top-1 accuracy.

    Args:
        scores (array-like): (N, K) class scores; ties go to the lowest
            class index (``np.argmax``).
        labels (array-like): (N,) integer labels, or (N, K) one-hot.

    Returns:
        float: Fraction of samples whose highest score is their label.
    """
    s = np.asarray(scores)
    y = np.asarray(labels)
    if y.ndim == 2:
        y = y.argmax(1)
    if s.ndim != 2 or y.shape != (s.shape[0], ):
        raise ValueError(f'scores must be (N, K) and labels (N,) or (N, K); '
                         f'got {s.shape} and {np.shape(labels)}.')
    if len(y) == 0:
        raise ValueError('scores and labels are empty (N = 0).')
    return float(np.mean(s.argmax(1) == y))


__all__ = [
    'average_precision', 'class_mean_average_precision', 'f1_per_class',
    'macro_f1', 'top1_accuracy'
]
