"""Read a finished run's seed, test metric and privacy leakage from its work
directory, as ``tools/train.py``, ``tools/test.py`` and
``tools/eval_privacy_leakage.py`` leave them."""
import glob
import json
import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config

LEAKAGE_JSON = 'leakage.json'


def read_run_seed(work_dir: str) -> int:
    """Return ``randomness.seed`` of the config the run dumped.

    Args:
        work_dir (str): A work directory of ``tools/train.py``.

    Returns:
        int: The seed.

    Raises:
        FileNotFoundError: If no dumped config is in ``work_dir``.
        ValueError: If the run had no fixed seed.
    """
    configs = sorted(glob.glob(osp.join(work_dir, '*.py')), key=osp.getmtime)
    if not configs:
        raise FileNotFoundError(
            f'no config in {work_dir}: tools/train.py dumps the config it ran '
            'there; pass the work directory of a finished training run.')
    seed = Config.fromfile(configs[-1]).get('randomness', {}).get('seed')
    if seed is None:
        raise ValueError(
            f'{configs[-1]} has no randomness.seed, so this run cannot be '
            'paired with another arm by seed; train with --seed S or '
            '--cfg-options randomness.seed=S.')
    return int(seed)


def read_test_metric(work_dir: str, metric: str = 'acc/top1') -> float:
    """Return ``metric`` from the newest ``tools/test.py`` result.

    ``tools/test.py --work-dir W`` writes ``W/<timestamp>/<timestamp>.json``
    with the test metrics; training writes its scalars under ``vis_data``
    instead, so only test results are read.

    Args:
        work_dir (str): The ``--work-dir`` given to ``tools/test.py``.
        metric (str): The metric's key. Defaults to ``'acc/top1'``.

    Returns:
        float: The metric's value.

    Raises:
        FileNotFoundError: If ``work_dir`` holds no test result with
            ``metric``.
    """
    found = []
    for path in glob.glob(osp.join(work_dir, '*', '*.json')):
        stamp = osp.basename(osp.dirname(path))
        if osp.basename(path) != f'{stamp}.json':
            continue
        try:
            with open(path) as f:
                result = json.load(f)
        except json.JSONDecodeError:
            continue  # A line-per-iteration log, not a test result.
        if isinstance(result, dict) and metric in result:
            found.append((stamp, float(result[metric])))
    if not found:
        raise FileNotFoundError(
            f'no test result with {metric!r} in {work_dir}/<timestamp>/; run '
            f'tools/test.py CONFIG CHECKPOINT --work-dir {work_dir} first.')
    return max(found)[1]


def read_leakage(work_dir: str, subdir: str) -> Dict[str, float]:
    """Return the attacker's top-1 on raw and on this run's anonymized
    frames, from ``tools/eval_privacy_leakage.py --out WORK_DIR/SUBDIR``.

    Args:
        work_dir (str): The run's work directory.
        subdir (str): The leakage tool's ``--out``, relative to ``work_dir``.

    Returns:
        dict: ``raw`` and ``anonymized`` top-1, in [0, 1].

    Raises:
        FileNotFoundError: If the leakage JSON is missing.
        ValueError: If it has no raw row, or not exactly one anonymized row
            for a checkpoint of this run.
    """
    path = osp.join(work_dir, subdir, LEAKAGE_JSON)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} not found; run tools/eval_privacy_leakage.py '
            f'--anonymizer-checkpoint {work_dir}/epoch_N.pth --out '
            f'{osp.join(work_dir, subdir)} first, or fix --leakage-subdir.')
    with open(path) as f:
        rows = json.load(f)['rows']
    raw = [r for r in rows if r.get('checkpoint') is None]
    mine = [r for r in rows if r.get('checkpoint') is not None]
    if len(mine) > 1:  # Several anonymizers in one file: keep this run's.
        here = osp.abspath(work_dir)
        mine = [r for r in mine
                if osp.dirname(osp.abspath(r['checkpoint'])) == here]
    if len(raw) != 1 or len(mine) != 1:
        raise ValueError(
            f'{path} should hold one raw row and one row for a checkpoint of '
            f'{work_dir}; it has {len(raw)} raw and {len(mine)} anonymized. '
            'Evaluate one anonymizer per --out directory.')
    return dict(raw=float(raw[0]['top1']), anonymized=float(mine[0]['top1']))


def read_run_result(work_dir: str, *, metric: str = 'acc/top1',
                    leakage_subdir: Optional[str] = None) -> Dict[str, float]:
    """Read one run: its seed, test metric and, if asked, its leakage.

    Args:
        work_dir (str): The run's work directory.
        metric (str): The test metric. Defaults to ``'acc/top1'``.
        leakage_subdir (str, optional): Where the leakage tool wrote, under
            ``work_dir``; None reads no leakage.

    Returns:
        dict: ``seed``, ``metric`` and, with ``leakage_subdir``,
        ``leakage_raw`` and ``leakage``.
    """
    result = dict(seed=read_run_seed(work_dir),
                  metric=read_test_metric(work_dir, metric))
    if leakage_subdir is not None:
        leak = read_leakage(work_dir, leakage_subdir)
        result.update(leakage_raw=leak['raw'], leakage=leak['anonymized'])
    return result


__all__ = [
    'read_run_seed', 'read_test_metric', 'read_leakage', 'read_run_result'
]
