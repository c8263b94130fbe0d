"""Compare per-class test accuracy of several arms from prediction dumps.

Each arm (e.g. raw vs anonymized) is one or more prediction dumps written by
``tools/test.py CONFIG CKPT --dump preds.pkl``, one dump per seed. For each
arm and class it reports the accuracy (recall, in percent) averaged over the
arm's dumps and the overall top-1; for every arm after the first, the
per-class cost against the first arm (first minus this arm, in points:
positive means this arm is lower); and each arm's confusion matrix pooled
over its dumps (rows = true class, columns = predicted, row-normalised
percent). The predicted label is the argmax of ``pred_score``;
``pred_label`` is not used. A class absent from a dump's ground truth has
no accuracy in that dump: it is shown as ``-`` (``null`` in JSON) and noted.
Prints the Markdown report; with ``--out`` also writes ``per_class.json``
and ``per_class.md`` there.

Example::

    python tools/analysis/per_class_accuracy.py \\
        --arm raw work_dirs/ftonly24/raw_seed{0..4}/preds24.pkl \\
        --arm b0.9 work_dirs/ftonly24/b0.9_seed{0..4}/preds24.pkl \\
        --classes data/synthetic/classes.txt --out work_dirs/per_class_b0.9
"""
import argparse
import json
import math
import os
import os.path as osp
import pickle
from decimal import ROUND_HALF_UP, Decimal
from typing import List, Optional, Sequence, Tuple

import numpy as np

_FIX_DUMP = ('it must be the output of `tools/test.py CONFIG CKPT --dump '
             'preds.pkl` (a list of dicts with "pred_score" and "gt_label")')


def _label(value, path: str, index: int) -> int:
    """One integer label from a tensor / array of shape () or (1,)."""
    arr = np.asarray(value.cpu() if hasattr(value, 'cpu') else value)
    if arr.size != 1:
        raise SystemExit(
            f'error: {path}: entry {index} has a gt_label of shape '
            f'{arr.shape}; expected one label per video (shape () or (1,)): '
            f'{_FIX_DUMP}.')
    return int(arr.reshape(-1)[0])


def load_dump(path: str) -> Tuple[np.ndarray, np.ndarray, int]:
    """Read one ``tools/test.py --dump`` pickle.

    Args:
        path (str): The dumped ``.pkl`` file.

    Returns:
        tuple[np.ndarray, np.ndarray, int]: The ground-truth labels and the
        predicted labels (argmax of ``pred_score``), both int64 of shape
        ``(num_videos,)``, and the number of classes (length of
        ``pred_score``).

    Raises:
        SystemExit: If the file is missing, cannot be unpickled, is not a
            non-empty list of dicts with ``pred_score`` and ``gt_label``,
            has scores of differing lengths, or a label out of range.
    """
    if not osp.isfile(path):
        raise SystemExit(f'error: {path}: no such file; pass the .pkl written '
                         'by `tools/test.py CONFIG CKPT --dump preds.pkl`.')
    try:
        with open(path, 'rb') as f:
            results = pickle.load(f)
    except Exception as err:  # noqa: BLE001 - any unpickling failure
        raise SystemExit(f'error: {path}: cannot be unpickled ({err}); '
                         f'{_FIX_DUMP}.')
    if not isinstance(results, list) or not results:
        empty = ' (empty)' if isinstance(results, list) else ''
        raise SystemExit(f'error: {path}: holds {type(results).__name__}'
                         f'{empty}, not a non-empty list; {_FIX_DUMP}.')
    gt, pred, num_classes = [], [], None
    for i, result in enumerate(results):
        if not isinstance(result, dict) or not {'pred_score', 'gt_label'
                                                } <= set(result):
            what = (f'a dict with keys {list(result)}' if isinstance(
                result, dict) else type(result).__name__)
            raise SystemExit(f'error: {path}: entry {i} is {what}; '
                             f'{_FIX_DUMP}.')
        score = result['pred_score']
        score = np.asarray(score.cpu() if hasattr(score, 'cpu') else score,
                           dtype=np.float64)
        if score.ndim != 1 or score.size == 0:
            raise SystemExit(f'error: {path}: entry {i} has a pred_score of '
                             f'shape {score.shape}, not one score per class; '
                             f'{_FIX_DUMP}.')
        if num_classes is None:
            num_classes = score.size
        elif score.size != num_classes:
            raise SystemExit(f'error: {path}: entry {i} scores {score.size} '
                             f'classes but entry 0 scores {num_classes}; '
                             f'{_FIX_DUMP}.')
        label = _label(result['gt_label'], path, i)
        if not 0 <= label < num_classes:
            raise SystemExit(f'error: {path}: entry {i} has gt_label {label} '
                             f'outside 0..{num_classes - 1}; {_FIX_DUMP}.')
        gt.append(label)
        pred.append(int(np.argmax(score)))
    return (np.asarray(gt, dtype=np.int64), np.asarray(pred, dtype=np.int64),
            num_classes)


def confusion(gt: np.ndarray, pred: np.ndarray,
              num_classes: int) -> np.ndarray:
    """Count confusion matrix.

    Args:
        gt (np.ndarray): Ground-truth labels, shape ``(N,)``.
        pred (np.ndarray): Predicted labels, shape ``(N,)``.
        num_classes (int): Number of classes.

    Returns:
        np.ndarray: int64 counts of shape ``(num_classes, num_classes)``;
        entry ``[t, p]`` counts videos of true class ``t`` predicted ``p``.
    """
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(gt), np.asarray(pred)), 1)
    return counts


def per_class_accuracy(gt: np.ndarray, pred: np.ndarray,
                       num_classes: int) -> np.ndarray:
    """Per-class accuracy (recall) in percent.

    Args:
        gt (np.ndarray): Ground-truth labels, shape ``(N,)``.
        pred (np.ndarray): Predicted labels, shape ``(N,)``.
        num_classes (int): Number of classes.

    Returns:
        np.ndarray: float64 of shape ``(num_classes,)``; NaN for a class
        with no ground-truth video (its accuracy is undefined).
    """
    counts = confusion(gt, pred, num_classes)
    support = counts.sum(axis=1)
    correct = np.diag(counts).astype(np.float64)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(support > 0, 100.0 * correct / support, np.nan)


def top1(gt: np.ndarray, pred: np.ndarray) -> float:
    """Overall top-1 accuracy in percent.

    Args:
        gt (np.ndarray): Ground-truth labels, shape ``(N,)``, ``N > 0``.
        pred (np.ndarray): Predicted labels, shape ``(N,)``.

    Returns:
        float: Percent of videos predicted correctly.
    """
    return 100.0 * float(np.mean(np.asarray(gt) == np.asarray(pred)))


def row_percent(counts: np.ndarray) -> np.ndarray:
    """Row-normalise a confusion matrix to percent.

    Args:
        counts (np.ndarray): Counts, shape ``(C, C)``.

    Returns:
        np.ndarray: float64 of shape ``(C, C)``; rows summing to 100, or
        all NaN for a class with no ground-truth video.
    """
    support = counts.sum(axis=1, keepdims=True).astype(np.float64)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(support > 0, 100.0 * counts / support, np.nan)


def _nanmean(rows: np.ndarray) -> np.ndarray:
    """Column means ignoring NaN; NaN (without a warning) where all are."""
    rows = np.asarray(rows, dtype=np.float64)
    valid = ~np.isnan(rows)
    n = valid.sum(axis=0)
    total = np.where(valid, rows, 0.0).sum(axis=0)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def summarize_arm(name: str, paths: Sequence[str],
                  dumps: Sequence[Tuple[np.ndarray, np.ndarray]],
                  num_classes: int) -> dict:
    """Per-dump and mean accuracies and the pooled confusion of one arm.

    Args:
        name (str): The arm's name.
        paths (Sequence[str]): Its dump files, one per seed.
        dumps (Sequence[tuple[np.ndarray, np.ndarray]]): ``(gt, pred)`` per
            dump, in the order of ``paths``.
        num_classes (int): Number of classes.

    Returns:
        dict: ``name``, ``dumps`` (path, per-class accuracy, top-1 per
        dump), ``per_class`` (mean over the dumps where the class occurs),
        ``top1`` (mean over dumps) and ``confusion`` (counts summed over
        dumps). Accuracies are in percent, NaN where undefined.
    """
    accs = np.stack([per_class_accuracy(g, p, num_classes) for g, p in dumps])
    tops = [top1(g, p) for g, p in dumps]
    counts = sum(confusion(g, p, num_classes) for g, p in dumps)
    return dict(
        name=name,
        dumps=[dict(path=path, per_class=acc, top1=t)
               for path, acc, t in zip(paths, accs, tops)],
        per_class=_nanmean(accs),
        top1=float(np.mean(tops)),
        confusion=counts)


def compare_arms(arms: Sequence[dict],
                 classes: Optional[Sequence[str]] = None) -> dict:
    """Build the report from summarised arms.

    Args:
        arms (Sequence[dict]): Outputs of :func:`summarize_arm`, the
            reference arm first; all with the same number of classes.
        classes (Sequence[str], optional): Class names; indices if None.

    Returns:
        dict: ``classes``, ``arms`` (with ``cost`` per class and
        ``top1_cost`` for every arm after the first: first arm minus this
        arm, in points; NaN where either is undefined) and ``notes``
        (classes missing from some dumps' ground truth).
    """
    num_classes = len(arms[0]['per_class'])
    names = (list(classes) if classes is not None else
             [str(c) for c in range(num_classes)])
    ref = arms[0]
    notes = []
    out = []
    for k, arm in enumerate(arms):
        arm = dict(arm)
        if k:
            arm['cost'] = ref['per_class'] - arm['per_class']
            arm['top1_cost'] = ref['top1'] - arm['top1']
        for dump in arm['dumps']:
            missing = np.flatnonzero(np.isnan(dump['per_class']))
            if missing.size:
                notes.append(
                    f'{arm["name"]}: {dump["path"]} has no ground-truth '
                    f'video of class {", ".join(names[c] for c in missing)};'
                    ' its accuracy there is undefined (mean taken over the '
                    'other dumps, "-" if none).')
        out.append(arm)
    return dict(classes=names, arms=out, notes=notes)


def _pt(value: float, sign: bool = False) -> str:
    """One decimal, halves rounded up (as compare_seed_arms.py); ``-`` for
    NaN."""
    if value is None or math.isnan(value):
        return '-'
    text = str(Decimal(repr(round(float(value), 9))).quantize(
        Decimal('0.1'), rounding=ROUND_HALF_UP))
    if text == '-0.0':
        text = '0.0'
    return f'+{text}' if sign and not text.startswith('-') else text


def to_markdown(report: dict) -> str:
    """Render the report: the per-class table, then one confusion matrix
    per arm.

    Args:
        report (dict): Output of :func:`compare_arms`.

    Returns:
        str: Markdown text ending in a newline.
    """
    classes, arms = report['classes'], report['arms']
    ref = arms[0]['name']
    header = (['class'] + [f'{a["name"]} acc' for a in arms] +
              [f'cost {a["name"]} ({ref} - {a["name"]})' for a in arms[1:]])
    counts = ', '.join(f'{a["name"]}: {len(a["dumps"])}' for a in arms)
    lines = [
        f'Per-class accuracy (%), mean over dumps ({counts}); '
        'cost in points, positive = lower than '
        f'{ref}.', '', '| ' + ' | '.join(header) + ' |',
        '|' + '---|' * len(header)
    ]
    for c, name in enumerate(classes):
        cells = ([name] + [_pt(a['per_class'][c]) for a in arms] +
                 [_pt(a['cost'][c], True) for a in arms[1:]])
        lines.append('| ' + ' | '.join(cells) + ' |')
    cells = (['all (top-1)'] + [_pt(a['top1']) for a in arms] +
             [_pt(a['top1_cost'], True) for a in arms[1:]])
    lines.append('| ' + ' | '.join(cells) + ' |')
    for arm in arms:
        pct = row_percent(arm['confusion'])
        lines += [
            '', f'Confusion matrix, {arm["name"]} (row %, pooled over '
            f'{len(arm["dumps"])} dump(s); rows = true, columns = '
            'predicted):', '', '| true \\ pred | ' + ' | '.join(classes) +
            ' | n |', '|' + '---|' * (len(classes) + 2)
        ]
        for c, name in enumerate(classes):
            lines.append(f'| {name} | ' + ' | '.join(
                _pt(v) for v in pct[c]) + f' | {arm["confusion"][c].sum()} |')
    if report['notes']:
        lines += ['', 'Notes:'] + [f'- {note}' for note in report['notes']]
    return '\n'.join(lines) + '\n'


def _jsonable(value):
    """numpy to plain Python, NaN to None."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.integer, )):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def to_json(report: dict) -> dict:
    """The report as JSON-ready data (NaN as ``None``)."""
    return _jsonable(report)


def read_classes(path: str, num_classes: int) -> List[str]:
    """Read class names, one per line.

    Args:
        path (str): The classes file (e.g. ``data/synthetic/classes.txt``).
        num_classes (int): Number of classes in the dumps.

    Returns:
        list[str]: The names, in label order.

    Raises:
        SystemExit: If the file is missing or its line count differs from
            ``num_classes``.
    """
    if not osp.isfile(path):
        raise SystemExit(f'error: --classes {path}: no such file; pass the '
                         "dataset's class list or leave --classes out.")
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if len(names) != num_classes:
        raise SystemExit(
            f'error: --classes {path}: has {len(names)} names but the dumps '
            f'score {num_classes} classes; pass the class list of the '
            'dataset the dumps were tested on, or leave --classes out.')
    return names


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arm', action='append', nargs='+', required=True,
                        metavar=('NAME', 'PKL'),
                        help='an arm: its name, then one or more '
                        '`tools/test.py --dump` pickles (one per seed); '
                        'repeat for each arm, the reference arm first')
    parser.add_argument('--classes', help='class names, one per line in '
                        'label order (default: class indices)')
    parser.add_argument('--out', help='also write per_class.json and '
                        'per_class.md to this directory')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    seen = set()
    for arm in args.arm:
        if len(arm) < 2:
            raise SystemExit(f'error: --arm {arm[0]}: no pkl given; use '
                             '--arm NAME PKL [PKL ...].')
        if arm[0] in seen:
            raise SystemExit(f'error: --arm {arm[0]}: given twice; give each '
                             'arm a distinct name.')
        seen.add(arm[0])
    loaded = [[(path, load_dump(path)) for path in arm[1:]]
              for arm in args.arm]
    first_path, (_, _, num_classes) = loaded[0][0]
    for arm in loaded:
        for path, (_, _, k) in arm:
            if k != num_classes:
                raise SystemExit(
                    f'error: {path}: scores {k} classes but {first_path} '
                    f'scores {num_classes}; compare dumps of one dataset.')
    classes = (read_classes(args.classes, num_classes)
               if args.classes else None)
    arms = [
        summarize_arm(spec[0], [p for p, _ in arm],
                      [(g, p) for _, (g, p, _) in arm], num_classes)
        for spec, arm in zip(args.arm, loaded)
    ]
    report = compare_arms(arms, classes)
    markdown = to_markdown(report)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(osp.join(args.out, 'per_class.json'), 'w') as f:
            json.dump(to_json(report), f, indent=1)
        with open(osp.join(args.out, 'per_class.md'), 'w') as f:
            f.write(markdown)
    print(markdown, end='')
    return report


if __name__ == '__main__':
    main()
