"""Top-1 and per-class accuracy from tools/test.py --dump files."""
import mmengine
import numpy as np
import pytest
import torch
from mmaction.evaluation.functional import top_k_accuracy
from mmaction.structures import ActionDataSample

from mmprivact.evaluation.sweep import class_accuracy, load_predictions


def _dump(path, scores, labels):
    """A dump as MMEngine's DumpResults writes it: ActionDataSample dicts
    (plus a meta key, as the MaskDP pipelines add)."""
    records = []
    for score, label in zip(scores, labels):
        sample = ActionDataSample().set_gt_label(int(label))
        sample.set_pred_score(torch.as_tensor(score, dtype=torch.float32))
        sample.set_metainfo(dict(filename=f'videos/v{len(records)}.mp4'))
        records.append(sample.to_dict())
    mmengine.dump(records, str(path))
    return path


def test_per_class_accuracy_from_a_dump(tmp_path):
    # 4 classes; class 3 has no test video. Right: 2/3 of class 0, 0/1 of
    # class 1, 2/2 of class 2.
    labels = [0, 0, 0, 1, 2, 2]
    predicted = [0, 0, 2, 0, 2, 2]
    scores = np.full((6, 4), 0.1)
    scores[np.arange(6), predicted] = 0.7
    path = _dump(tmp_path / 'preds.pkl', scores, labels)
    got_scores, got_labels = load_predictions(str(path))
    np.testing.assert_allclose(got_scores, scores, rtol=1e-6)
    assert got_labels.tolist() == labels
    acc = class_accuracy(got_scores, got_labels, ['a', 'b', 'c', 'd'])
    assert acc['top1'] == pytest.approx(4 / 6)
    assert acc['per_class'] == {'a': pytest.approx(2 / 3), 'b': 0.0,
                                'c': 1.0, 'd': None}
    assert acc['test_counts'] == {'a': 3, 'b': 1, 'c': 2, 'd': 0}
    assert acc['num_videos'] == 6
    assert list(class_accuracy(got_scores, got_labels)['per_class']) == [
        'class_0', 'class_1', 'class_2', 'class_3']


def test_top1_agrees_with_mmaction_including_ties():
    """Same number as acc/top1 of MMAction2's AccMetric, ties included."""
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 3, size=(200, 5)).astype(float)  # many ties
    labels = rng.integers(0, 5, size=200)
    expected = top_k_accuracy(list(scores), list(labels), (1, ))[0]
    assert class_accuracy(scores, labels)['top1'] == pytest.approx(expected)


def test_bad_dumps_and_inputs_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match='--dump'):
        load_predictions(str(tmp_path / 'none.pkl'))
    mmengine.dump([dict(a=1)], str(tmp_path / 'x.pkl'))
    with pytest.raises(ValueError, match='no pred_score / gt_label'):
        load_predictions(str(tmp_path / 'x.pkl'))
    with pytest.raises(ValueError, match='class names'):
        class_accuracy(np.zeros((2, 3)), np.array([0, 1]), ['a', 'b'])
    with pytest.raises(ValueError, match=r'labels must lie in \[0, 3\)'):
        class_accuracy(np.zeros((2, 3)), np.array([0, 3]))
