"""AP / cMAP / macro-F1 / top-1 against independent brute-force versions."""
import numpy as np
import pytest

from mmprivact.evaluation.multilabel_scores import (
    average_precision, class_mean_average_precision, f1_per_class, macro_f1,
    top1_accuracy)


def brute_ap(score, positive):
    """Area under the precision/recall step curve, one threshold at a time
    (every distinct score, predicted positive when score >= threshold)."""
    if positive.sum() == 0:
        return np.nan
    ap, last_recall = 0.0, 0.0
    for t in sorted(set(score.tolist()), reverse=True):
        pred = score >= t
        tp = np.sum(pred & positive)
        precision = tp / pred.sum()
        recall = tp / positive.sum()
        ap += (recall - last_recall) * precision
        last_recall = recall
    return ap


def rank_ap(score, positive):
    """Without ties: mean over positives of the precision at their rank."""
    order = np.argsort(-score)
    hits = positive[order]
    ranks = np.flatnonzero(hits) + 1
    return np.mean(np.arange(1, len(ranks) + 1) / ranks)


def brute_f1(score, positive, threshold):
    tp = fp = fn = 0
    for s, p in zip(score, positive):
        pred = s >= threshold
        tp += pred and p
        fp += pred and not p
        fn += (not pred) and p
    return 2 * tp / (2 * tp + fp + fn)


def test_known_cases():
    # scikit-learn's documented example: AP = 0.8333...
    assert average_precision([0.1, 0.4, 0.35, 0.8],
                             [0, 0, 1, 1])[0] == pytest.approx(5 / 6)
    assert average_precision([0.9, 0.8, 0.7, 0.6],
                             [1, 0, 1, 0])[0] == pytest.approx(
                                 (1 + 2 / 3) / 2)
    assert average_precision([4, 3, 2, 1], [1, 1, 0, 0])[0] == 1.0
    assert average_precision([4, 3, 2, 1], [0, 0, 0, 1])[0] == 0.25
    # Ties enter together: a constant score gets the positive rate.
    assert average_precision([0.5, 0.5], [1, 0])[0] == 0.5
    assert average_precision(np.zeros(10), np.r_[np.ones(3),
                                                 np.zeros(7)])[0] == 0.3
    # A tie between the top positive and a negative: precision 1/2 there.
    assert average_precision([0.9, 0.9, 0.1], [1, 0, 1])[0] == \
        pytest.approx(0.5 * 0.5 + 0.5 * 2 / 3)


@pytest.mark.parametrize('seed', range(5))
def test_ap_matches_brute_force_with_ties(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 6, size=(40, 5)) / 5.0  # many ties
    targets = (rng.random((40, 5)) < 0.3).astype(int)
    targets[:, 4] = 0  # a class without positives
    ap = average_precision(scores, targets)
    expected = [brute_ap(scores[:, k], targets[:, k].astype(bool))
                for k in range(5)]
    assert np.isnan(ap[4]) and np.isnan(expected[4])
    np.testing.assert_allclose(ap[:4], expected[:4], rtol=1e-12)
    cmap, per_class = class_mean_average_precision(scores, targets)
    assert cmap == pytest.approx(np.mean(expected[:4]))
    np.testing.assert_array_equal(per_class, ap)
    # Ties do not depend on the order of the samples.
    perm = rng.permutation(40)
    np.testing.assert_allclose(
        average_precision(scores[perm], targets[perm]), ap, equal_nan=True)


@pytest.mark.parametrize('seed', range(3))
def test_ap_without_ties_is_mean_precision_at_positive_ranks(seed):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(30, 3))
    targets = rng.random((30, 3)) < 0.4
    targets[0] = True
    for k in range(3):
        assert average_precision(scores, targets)[k] == pytest.approx(
            rank_ap(scores[:, k], targets[:, k]))
    # Monotonic rescaling (logits vs probabilities) leaves AP unchanged.
    np.testing.assert_allclose(average_precision(1 / (1 + np.exp(-scores)),
                                                 targets),
                               average_precision(scores, targets))


def test_cmap_errors_and_ranges():
    with pytest.raises(ValueError, match='no class has a positive'):
        class_mean_average_precision(np.ones((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match='same shape'):
        average_precision(np.ones((3, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match='multi-hot'):
        average_precision(np.ones((3, 2)), np.full((3, 2), 2))
    with pytest.raises(ValueError, match='NaN'):
        average_precision(np.full((2, 1), np.nan), np.ones((2, 1)))
    rng = np.random.default_rng(0)
    cmap, _ = class_mean_average_precision(rng.random((50, 4)),
                                           rng.random((50, 4)) < 0.5)
    assert 0.0 <= cmap <= 1.0


@pytest.mark.parametrize('seed', range(4))
def test_macro_f1_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 5, size=(25, 4)) / 4.0  # hits 0.5 exactly
    targets = rng.random((25, 4)) < 0.4
    targets[:, 3] = False
    f1 = f1_per_class(scores, targets, 0.5)
    expected = [brute_f1(scores[:, k], targets[:, k], 0.5) for k in range(3)]
    np.testing.assert_allclose(f1[:3], expected)
    assert np.isnan(f1[3])  # no positive: left out of the mean
    assert macro_f1(scores, targets) == pytest.approx(np.mean(expected))


def test_macro_f1_known_cases():
    t = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    perfect = t.astype(float)
    assert macro_f1(perfect, t) == 1.0
    assert macro_f1(1 - perfect, t) == 0.0
    # Threshold is inclusive: 0.5 counts as a positive prediction.
    assert macro_f1(np.full((4, 2), 0.5), t) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match='undefined'):
        macro_f1(np.ones((2, 2)), np.zeros((2, 2)))


def test_top1_accuracy():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]])
    assert top1_accuracy(scores, [1, 0, 0]) == 1.0
    assert top1_accuracy(scores, [1, 1, 1]) == pytest.approx(1 / 3)
    assert top1_accuracy(scores, np.eye(2)[[1, 0, 1]]) == pytest.approx(
        2 / 3)  # one-hot labels; the tie goes to class 0
    with pytest.raises(ValueError, match='labels'):
        top1_accuracy(scores, [0, 1])
