"""Read and validate a sweep config and expand it into runs."""
import logging
import numbers
import os
import os.path as osp
import types
from typing import Any, Dict, List, Mapping, Optional

from mmengine.config import Config
from mmengine.logging import print_log

from .sweep_method import SweepMethod, resolve_path
from .sweep_run import SweepRun

#: Keys a sweep config may define (see docs/privacy_reports.md).
SWEEP_KEYS = ('data_root', 'seeds', 'epsilons', 'methods', 'cfg_options',
              'reference', 'example_videos')
#: Default number of test videos in the example-frames figure.
DEFAULT_EXAMPLE_VIDEOS = 4


class SweepGrid:
    """A validated privacy-utility sweep: methods x epsilons x seeds.

    The sweep config is an MMEngine config (``.py``) file::

        data_root = 'data/synthetic'
        seeds = [0]
        epsilons = [1, 8]
        methods = dict(
            nonprivate=dict(config='configs/maskdp/..._nonprivate_...py'),
            maskdp=dict(config='configs/maskdp/..._maskdp_...py',
                        test_masked_view=True),
            avatar_maskdp=dict(config=..., data_root='data/x_anonymized',
                               optional=True))
        cfg_options = {}          # overrides for every run (dotted keys)
        reference = 'nonprivate'  # optional: the per-class baseline
        example_videos = 4        # optional: rows of the example frames

    Private methods (``private``, inferred from the config's
    ``data_preprocessor.mode``) run once per (epsilon, seed), the others
    once per seed. Runs are ordered seed by seed, so an interrupted sweep
    has whole seeds first.

    Args:
        path (str): The sweep config file.
        base_dir (str, optional): Folder relative paths in it are resolved
            against. Defaults to the current directory.
        check_data (bool): Check every method's data root and annotation
            files; an optional method without data is skipped with the
            reason, a required one raises. Defaults to True.

    Raises:
        FileNotFoundError: If the sweep config, a method config or the data
            of a required method is missing.
        ValueError: On unknown keys, bad values or an empty grid.
    """

    def __init__(self,
                 path: str,
                 base_dir: Optional[str] = None,
                 check_data: bool = True) -> None:
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Sweep config {path!r} not found; see configs/sweeps/ for '
                'examples.')
        self.path = osp.abspath(path)
        self.base_dir = osp.abspath(base_dir or os.getcwd())
        cfg = Config.fromfile(self.path)
        values = {
            key: value
            for key, value in cfg.items()
            if not key.startswith('_')
            and not isinstance(value, types.ModuleType)
        }
        unknown = sorted(set(values) - set(SWEEP_KEYS))
        if unknown:
            raise ValueError(f'{self.path}: unknown key(s) {unknown}; '
                             f'allowed: {list(SWEEP_KEYS)}.')
        self.seeds = self._seeds(values.get('seeds', [0]))
        self.epsilons = self._epsilons(values.get('epsilons', []))
        cfg_options = values.get('cfg_options') or {}
        if not isinstance(cfg_options, Mapping):
            raise ValueError(f'{self.path}: cfg_options must be a dict of '
                             f'dotted keys, got {cfg_options!r}.')
        self.cfg_options = dict(cfg_options)
        if 'data_root' not in values or not isinstance(
                values['data_root'], str):
            raise ValueError(
                f"{self.path}: set data_root = 'data/...' (the data every "
                'method reads unless it sets its own).')
        self.data_root = resolve_path(values['data_root'], self.base_dir)
        example_videos = values.get('example_videos', DEFAULT_EXAMPLE_VIDEOS)
        if isinstance(example_videos, bool) or not isinstance(
                example_videos, int) or example_videos < 0:
            raise ValueError(f'{self.path}: example_videos must be an int '
                             f'>= 0, got {example_videos!r}.')
        self.example_videos = example_videos
        self.methods = self._methods(values.get('methods'))
        self.reference = self._reference(values.get('reference'))
        if check_data:
            self._check_data()
        if not self.runs():
            raise ValueError(f'{self.path}: the grid is empty, every method '
                             f'is skipped: {self.skipped()}. Provide their '
                             'data or add methods.')

    # -- validation ----------------------------------------------------------
    def _seeds(self, seeds: Any) -> List[int]:
        if isinstance(seeds, numbers.Integral) and not isinstance(
                seeds, bool):
            seeds = [seeds]
        if not isinstance(seeds, (list, tuple)) or not seeds or not all(
                isinstance(s, numbers.Integral) and not isinstance(s, bool)
                for s in seeds):
            raise ValueError(f'{self.path}: seeds must be a non-empty list '
                             f'of ints, got {seeds!r}.')
        if len(set(seeds)) != len(seeds):
            raise ValueError(f'{self.path}: seeds {list(seeds)} repeat a '
                             'value.')
        return [int(s) for s in seeds]

    def _epsilons(self, epsilons: Any) -> List[float]:
        if isinstance(epsilons, numbers.Real) and not isinstance(
                epsilons, bool):
            epsilons = [epsilons]
        if not isinstance(epsilons, (list, tuple)) or not all(
                isinstance(e, numbers.Real) and not isinstance(e, bool)
                and e > 0 for e in epsilons):
            raise ValueError(f'{self.path}: epsilons must be a list of '
                             f'numbers > 0, got {epsilons!r}.')
        out = [float(e) for e in epsilons]
        if len(set(out)) != len(out):
            raise ValueError(f'{self.path}: epsilons {out} repeat a value.')
        return out

    def _methods(self, methods: Any) -> List[SweepMethod]:
        if not isinstance(methods, Mapping) or not methods:
            raise ValueError(
                f'{self.path}: methods must be a non-empty dict, e.g. '
                "methods = dict(maskdp=dict(config='configs/maskdp/...py'))"
                f'; got {methods!r}.')
        out = [
            SweepMethod.from_entry(
                name, entry, data_root=self.data_root,
                cfg_options=self.cfg_options, base_dir=self.base_dir,
                where=self.path) for name, entry in methods.items()
        ]
        private = [m.name for m in out if m.private]
        if private and not self.epsilons:
            raise ValueError(
                f'{self.path}: private method(s) {private} need epsilons, '
                'e.g. epsilons = [1, 8].')
        return out

    def _reference(self, reference: Any) -> Optional[str]:
        candidates = [m.name for m in self.methods
                      if not m.private and m.kind == 'recognizer']
        if reference is None:
            return candidates[0] if candidates else None
        if reference not in candidates:
            raise ValueError(
                f'{self.path}: reference={reference!r} must name a '
                f'non-private recognizer method, one of {candidates}.')
        return reference

    def _check_data(self) -> None:
        for method in self.methods:
            reason = method.missing_data()
            if reason is None:
                continue
            if not method.optional:
                raise FileNotFoundError(
                    f'{self.path}: method {method.name!r}: {reason}. '
                    'Generate or download the data (for the synthetic '
                    'benchmark: python tools/data/generate_synthetic.py '
                    f'--out {method.data_root}), fix data_root, or mark the '
                    'method optional=True to skip it when its data is '
                    'missing.')
            method.skip_reason = reason
            print_log(f'Sweep: skipping optional method {method.name!r}: '
                      f'{reason}.', logger='current', level=logging.WARNING)

    # -- expansion -----------------------------------------------------------
    def runs(self) -> List[SweepRun]:
        """Every run of the grid, seed by seed, methods in config order.

        Returns:
            list[SweepRun]: Runs of the methods that are not skipped.
        """
        out = []
        for seed in self.seeds:
            for method in self.methods:
                if method.skip_reason is not None:
                    continue
                for eps in (self.epsilons if method.private else [None]):
                    out.append(SweepRun(method, seed, eps))
        return out

    def skipped(self) -> Dict[str, str]:
        """Methods that do not run, with the reason.

        Returns:
            dict: ``{method name: reason}``.
        """
        return {m.name: m.skip_reason for m in self.methods
                if m.skip_reason is not None}

    def method(self, name: str) -> SweepMethod:
        """The method called ``name``."""
        for method in self.methods:
            if method.name == name:
                return method
        raise KeyError(f'No method {name!r} in {self.path}.')

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready description of the sweep (stored in results.json)."""
        return dict(
            sweep_config=self.path,
            data_root=self.data_root,
            seeds=self.seeds,
            epsilons=self.epsilons,
            cfg_options=self.cfg_options,
            reference=self.reference,
            example_videos=self.example_videos,
            methods=[m.to_dict() for m in self.methods])


__all__ = ['SweepGrid', 'SWEEP_KEYS']
