"""Top-1 and per-class accuracy from a ``tools/test.py --dump`` file.

The dump (MMEngine's ``DumpResults``) is a pickled list with one dict per
test video: an MMAction2 ``ActionDataSample`` turned into a dict, holding
``pred_score`` (a (K,) tensor of class scores), ``gt_label`` (a (1,)
tensor) and the pipeline's meta keys.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np


def _to_numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def load_predictions(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Scores and labels of every video in a prediction dump.

    Args:
        path (str): ``.pkl`` written by ``tools/test.py --dump``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``scores`` (N, K) float64 and
        ``labels`` (N,) int64.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If it is not a dump of single-label predictions.
    """
    import mmengine
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Prediction dump {path} not found; write it with tools/test.py '
            'CONFIG CHECKPOINT --dump preds.pkl.')
    records = mmengine.load(path)
    if not isinstance(records, (list, tuple)) or not records:
        raise ValueError(f'{path}: expected a non-empty list of predictions '
                         f'(tools/test.py --dump), got {type(records)}.')
    scores, labels = [], []
    for i, record in enumerate(records):
        if not isinstance(record, dict) or 'pred_score' not in record or (
                'gt_label' not in record):
            raise ValueError(
                f'{path}: record {i} has no pred_score / gt_label; is it a '
                'recognition dump of tools/test.py --dump?')
        label = _to_numpy(record['gt_label']).reshape(-1)
        if label.size != 1:
            raise ValueError(f'{path}: record {i} has {label.size} labels; '
                             'only single-label recognition is supported.')
        scores.append(_to_numpy(record['pred_score']).reshape(-1))
        labels.append(int(label[0]))
    if len({len(s) for s in scores}) != 1:
        raise ValueError(f'{path}: records have different numbers of class '
                         'scores.')
    return np.stack(scores).astype(np.float64), np.asarray(labels, np.int64)


def class_accuracy(scores: np.ndarray,
                   labels: np.ndarray,
                   class_names: Optional[Sequence[str]] = None) -> Dict:
    """Overall top-1 and top-1 within each class.

    The predicted class is the last column of ``np.argsort(scores)``,
    exactly as MMAction2's ``top_k_accuracy`` (``acc/top1``) ranks, so tied
    scores are broken the same way and the numbers agree with the log.

    Args:
        scores (np.ndarray): (N, K) class scores.
        labels (np.ndarray): (N,) true classes in ``[0, K)``.
        class_names (Sequence[str], optional): K names; ``'class_<k>'``
            when None.

    Returns:
        dict: ``top1`` (float), ``num_videos`` (int), ``per_class``
        (``{name: accuracy or None}``, None for a class without test
        videos) and ``test_counts`` (``{name: videos}``), in class order.

    Raises:
        ValueError: On mismatched shapes or labels out of range.
    """
    scores = np.asarray(scores)
    labels = np.asarray(labels).reshape(-1)
    if scores.ndim != 2 or len(scores) != len(labels) or not len(labels):
        raise ValueError(f'scores must be (N, K) and labels (N,), N > 0; got '
                         f'{scores.shape} and {labels.shape}.')
    num_classes = scores.shape[1]
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f'labels must lie in [0, {num_classes}); got '
                         f'{labels.min()}..{labels.max()}.')
    names: List[str] = (list(class_names) if class_names is not None else
                        [f'class_{k}' for k in range(num_classes)])
    if len(names) != num_classes:
        raise ValueError(f'{len(names)} class names for {num_classes} '
                         'scores per video; check classes.txt.')
    predicted = np.argsort(scores, axis=1)[:, -1]
    correct = predicted == labels
    per_class, counts = {}, {}
    for k, name in enumerate(names):
        members = labels == k
        counts[name] = int(members.sum())
        per_class[name] = (float(correct[members].mean())
                           if members.any() else None)
    return dict(top1=float(correct.mean()), num_videos=int(len(labels)),
                per_class=per_class, test_counts=counts)


__all__ = ['load_predictions', 'class_accuracy']
