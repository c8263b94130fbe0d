"""The sweep's result rows: results.json / results.csv and their statistics."""
import csv
import json
import math
import os.path as osp
from typing import Any, Dict, List, Optional, Tuple

from .run_status import write_json

RESULTS_JSON = 'results.json'
RESULTS_CSV = 'results.csv'
#: Scalar columns of a row, in CSV order. Per-class accuracies follow as
#: ``top1/<class>`` and ``top1_masked_view/<class>``.
ROW_FIELDS = ('run', 'method', 'kind', 'private', 'seed', 'target_epsilon',
              'status', 'epsilon', 'delta', 'accountant', 'noise_multiplier',
              'max_grad_norm', 'sample_rate', 'expected_batch_size', 'steps',
              'dataset_size', 'fill', 'mode', 'stopped_at_budget',
              'anonymizer_budget', 'top1', 'top1_masked_view',
              'num_test_videos', 'train_minutes', 'attempts', 'checkpoint',
              'data_root', 'config', 'error')
#: Per-class fields of a row (``{class name: accuracy or None}``).
PER_CLASS_FIELDS = ('per_class_top1', 'per_class_top1_masked_view')


def mean_std(values: List[float]) -> Tuple[float, Optional[float]]:
    """Mean and sample standard deviation (n - 1; None for one value).

    Args:
        values (list[float]): At least one value.

    Returns:
        tuple[float, float | None]: ``(mean, std)``.
    """
    if not values:
        raise ValueError('mean_std needs at least one value.')
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, None
    var = sum((v - mean)**2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


class SweepResults:
    """Rows of a sweep (one per run) plus what the report needs to know.

    Args:
        rows (list[dict]): One dict per run with :data:`ROW_FIELDS` and
            :data:`PER_CLASS_FIELDS`; ``status`` is ``'done'`` or
            ``'failed'``.
        meta (dict): The sweep (``SweepGrid.to_dict()``) under ``sweep``,
            ``datasets`` (``{data_root: DatasetInfo.to_dict()}``) and
            ``skipped`` (``{method: reason}``).
    """

    def __init__(self, rows: List[Dict[str, Any]],
                 meta: Dict[str, Any]) -> None:
        self.rows = list(rows)
        self.meta = dict(meta)

    # -- files --------------------------------------------------------------
    @classmethod
    def load(cls, out_dir: str) -> 'SweepResults':
        """Read ``out_dir/results.json``.

        Raises:
            FileNotFoundError: If it does not exist.
            ValueError: If it is not a sweep's results file.
        """
        path = osp.join(out_dir, RESULTS_JSON)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path} not found: run the sweep first (tools/analysis/'
                'privacy_sweep.py SWEEP_CONFIG --out DIR) or point --out at '
                'its output folder.')
        with open(path) as f:
            data = json.load(f)
        if not isinstance(data, dict) or not isinstance(
                data.get('runs'), list):
            raise ValueError(f'{path} is not a privacy_sweep results file '
                             "(no 'runs' list).")
        return cls(data['runs'], data.get('meta', {}))

    def save(self, out_dir: str) -> None:
        """Write ``results.json`` and ``results.csv`` into ``out_dir``."""
        write_json(osp.join(out_dir, RESULTS_JSON),
                   dict(meta=self.meta, runs=self.rows))
        classes: List[str] = []
        for row in self.rows:
            for name in (row.get('per_class_top1') or {}):
                if name not in classes:
                    classes.append(name)
        columns = list(ROW_FIELDS) + [f'top1/{c}' for c in classes] + [
            f'top1_masked_view/{c}' for c in classes
        ]
        with open(osp.join(out_dir, RESULTS_CSV), 'w', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            for row in self.rows:
                full = row.get('per_class_top1') or {}
                masked = row.get('per_class_top1_masked_view') or {}
                values = [row.get(k) for k in ROW_FIELDS]
                values += [full.get(c) for c in classes]
                values += [masked.get(c) for c in classes]
                writer.writerow(['' if v is None else v for v in values])

    # -- queries ------------------------------------------------------------
    def done(self) -> List[Dict[str, Any]]:
        """Rows of finished runs."""
        return [r for r in self.rows if r.get('status') == 'done']

    def failed(self) -> List[Dict[str, Any]]:
        """Rows of failed runs."""
        return [r for r in self.rows if r.get('status') != 'done']

    def methods(self) -> List[Dict[str, Any]]:
        """Method descriptions (``SweepMethod.to_dict()``), config order."""
        return list((self.meta.get('sweep') or {}).get('methods') or [])

    def method(self, name: str) -> Dict[str, Any]:
        """The description of method ``name`` (empty dict if unknown)."""
        for method in self.methods():
            if method.get('name') == name:
                return method
        return {}

    def epsilons(self) -> List[float]:
        """Target epsilons with at least one row, ascending."""
        return sorted({r['target_epsilon'] for r in self.rows
                       if r.get('target_epsilon') is not None})

    def aggregate(self, metric: str = 'top1') -> List[Dict[str, Any]]:
        """Mean and std of ``metric`` over seeds per (method, epsilon).

        Args:
            metric (str): A numeric row field, e.g. ``'top1'``.

        Returns:
            list[dict]: ``method``, ``target_epsilon`` (None for
            non-private), ``mean``, ``std`` (sample std over seeds, None for
            one seed), ``n`` and ``values``, in row order.
        """
        groups: Dict[Tuple[str, Optional[float]], List[float]] = {}
        for row in self.done():
            value = row.get(metric)
            if value is None:
                continue
            key = (row['method'], row.get('target_epsilon'))
            groups.setdefault(key, []).append(float(value))
        out = []
        for (method, eps), values in groups.items():
            mean, std = mean_std(values)
            out.append(dict(method=method, target_epsilon=eps, mean=mean,
                            std=std, n=len(values), values=values))
        return out

    def per_class_mean(self, method: str, epsilon: Optional[float],
                       field: str = 'per_class_top1') -> Dict[str, float]:
        """Per-class accuracy of ``method`` at ``epsilon``, mean over seeds.

        Args:
            method (str): Method name.
            epsilon (float | None): Target epsilon (None: non-private).
            field (str): One of :data:`PER_CLASS_FIELDS`.

        Returns:
            dict: ``{class: mean accuracy}`` over the seeds that have it
            (classes without test videos left out); empty if no run is done.
        """
        sums: Dict[str, List[float]] = {}
        for row in self.done():
            if row['method'] != method or row.get(
                    'target_epsilon') != epsilon:
                continue
            for name, acc in (row.get(field) or {}).items():
                if acc is not None:
                    sums.setdefault(name, []).append(float(acc))
        return {name: sum(v) / len(v) for name, v in sums.items()}


__all__ = ['SweepResults', 'mean_std', 'ROW_FIELDS', 'PER_CLASS_FIELDS',
           'RESULTS_JSON', 'RESULTS_CSV']
