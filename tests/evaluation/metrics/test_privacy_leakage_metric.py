"""PrivacyLeakageMetric: registry, sample formats and agreement with numpy."""
import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmengine.structures import BaseDataElement

import mmprivact  # noqa: F401  (registration)
from mmaction.registry import METRICS
from mmprivact.evaluation import (PrivacyLeakageMetric,
                                  class_mean_average_precision, macro_f1)


def _data(seed=0, n=24, k=3):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, k)) * 2
    targets = (rng.random((n, k)) < 0.4).astype(np.float32)
    targets[0] = 1
    return logits, targets


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_dict_samples_match_the_numpy_scores():
    logits, targets = _data()
    metric = METRICS.build(dict(type='PrivacyLeakageMetric'))
    assert isinstance(metric, PrivacyLeakageMetric)
    for i in range(0, len(logits), 5):  # several batches
        metric.process(None, [
            dict(pred_score=torch.from_numpy(s), gt_attributes=t)
            for s, t in zip(logits[i:i + 5], targets[i:i + 5])
        ])
    out = metric.compute_metrics(metric.results)
    probs = _sigmoid(logits)
    assert out['cMAP'] == pytest.approx(
        class_mean_average_precision(probs, targets)[0])
    assert out['macro_F1'] == pytest.approx(macro_f1(probs, targets))
    assert set(out) == {'cMAP', 'macro_F1'}


def test_data_elements_through_an_evaluator_with_per_class_names():
    logits, targets = _data(1)
    targets[:, 2] = 0  # no positive: NaN, skipped in cMAP
    # As in a runner: configs are built in MMAction2's registry scope.
    with DefaultScope.overwrite_default_scope('mmaction'):
        evaluator = Evaluator([dict(type='PrivacyLeakageMetric',
                                    per_class=True,
                                    attribute_names=['face', 'gender',
                                                     'nudity'])])
    samples = [BaseDataElement(pred_score=torch.from_numpy(s),
                               gt_attributes=torch.from_numpy(t))
               for s, t in zip(logits, targets)]
    evaluator.process(samples)
    out = evaluator.evaluate(len(samples))
    cmap, ap = class_mean_average_precision(_sigmoid(logits), targets)
    assert out['privacy/cMAP'] == pytest.approx(cmap)
    assert out['privacy/AP/face'] == pytest.approx(ap[0])
    assert np.isnan(out['privacy/AP/nudity'])
    assert out['privacy/cMAP'] == pytest.approx(np.mean(ap[:2]))


def test_probabilities_and_threshold():
    targets = np.array([[1, 0], [0, 1], [1, 1]], np.float32)
    probs = np.array([[0.6, 0.4], [0.4, 0.6], [0.55, 0.3]])
    metric = PrivacyLeakageMetric(scores_are_logits=False, threshold=0.5)
    metric.process(None, [dict(pred_score=p, gt_attributes=t)
                          for p, t in zip(probs, targets)])
    out = metric.compute_metrics(metric.results)
    # class 0: all right (F1 1); class 1: one of two found, no FP (2/3).
    assert out['macro_F1'] == pytest.approx((1 + 2 / 3) / 2)
    metric = PrivacyLeakageMetric(scores_are_logits=False, threshold=0.58)
    metric.process(None, [dict(pred_score=p, gt_attributes=t)
                          for p, t in zip(probs, targets)])
    assert metric.compute_metrics(metric.results)['macro_F1'] < \
        out['macro_F1']


def test_bad_samples_are_named():
    metric = PrivacyLeakageMetric()
    with pytest.raises(KeyError, match='gt_attributes'):
        metric.process(None, [dict(pred_score=np.zeros(3))])
    with pytest.raises(ValueError, match='entries'):
        metric.process(None, [dict(pred_score=np.zeros(3),
                                   gt_attributes=np.zeros(2))])
    metric = PrivacyLeakageMetric(per_class=True, attribute_names=['a'])
    metric.process(None, [dict(pred_score=np.zeros(2),
                               gt_attributes=np.ones(2))])
    with pytest.raises(ValueError, match='attribute_names'):
        metric.compute_metrics(metric.results)
