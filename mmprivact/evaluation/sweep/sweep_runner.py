"""Train and test every run of a sweep, resumable, one status per run."""
import json
import logging
import os
import os.path as osp
import sys
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Sequence

from mmengine.logging import print_log

from .command_runner import TAIL_CHARS, CommandRunner
from .dataset_info import DatasetInfo
from .prediction_accuracy import class_accuracy, load_predictions
from .run_status import RunStatus, write_json
from .sweep_grid import SweepGrid
from .sweep_results import SweepResults
from .sweep_run import SweepRun

#: Fields copied from ``RUN_DIR/privacy.json`` (PrivacyAccountantHook).
PRIVACY_FIELDS = ('epsilon', 'delta', 'accountant', 'noise_multiplier',
                  'max_grad_norm', 'sample_rate', 'expected_batch_size',
                  'steps', 'dataset_size', 'fill', 'mode',
                  'stopped_at_budget')
#: Fields that mean nothing for a non-private run (the hook still reports
#: its Poisson sampling: sample rate, expected batch size, dataset size).
NON_PRIVATE_NULL = ('epsilon', 'delta', 'accountant', 'noise_multiplier',
                    'max_grad_norm', 'steps', 'fill')
RESULT_FILE = 'result.json'
#: Characters of a failure kept in its result row (status.json keeps more).
ROW_ERROR_CHARS = 1000
#: ``(cmd, log_file) -> None``, raising on failure (see CommandRunner).
Command = Callable[[Sequence[str], str], None]


def _read_checkpoint(run_dir: str) -> str:
    """The checkpoint MMEngine's ``last_checkpoint`` file names."""
    pointer = osp.join(run_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        raise FileNotFoundError(
            f'{pointer} not found: training ended without writing a '
            'checkpoint (see train.log in the run folder).')
    with open(pointer) as f:
        path = f.read().strip()
    if not osp.isabs(path) and not osp.isfile(path):
        path = osp.join(run_dir, osp.basename(path))
    if not osp.isfile(path):
        raise FileNotFoundError(f'{pointer} names {path}, which does not '
                                'exist; delete the run folder to retrain.')
    return path


class SweepRunner:
    """Runs a :class:`SweepGrid`: train, test, collect, resume.

    Every run lives in ``OUT/runs/<name>/`` (MMEngine work dir, logs,
    ``status.json``, ``result.json``). A run is::

        tools/train.py CONFIG --work-dir RUN_DIR --resume --cfg-options ...
        tools/test.py CONFIG CKPT --work-dir RUN_DIR/test_full \\
            --dump RUN_DIR/test_full/preds.pkl --cfg-options ...
        # with test_masked_view, again with mask_at_test=True into
        # RUN_DIR/test_masked_view/

    testing the last checkpoint. ``status.json`` records the finished
    phases: a second invocation skips done runs, resumes interrupted ones
    (``--resume`` continues from the last checkpoint, the accountant with
    it) and retries failed ones from the phase that failed. A failed run is
    recorded and the sweep goes on.

    Args:
        grid (SweepGrid): The sweep.
        out_dir (str): Output folder.
        repo_root (str): Folder holding ``tools/train.py`` and
            ``tools/test.py`` (commands run there).
        command (callable, optional): ``command(cmd, log_file)`` runs one
            command, raising on failure; defaults to a
            :class:`CommandRunner` in ``repo_root``. Tests pass a fake.
        python (str): Interpreter for the tools. Defaults to this one.
        progress (bool): Show a progress bar over runs. Defaults to True.
    """

    def __init__(self,
                 grid: SweepGrid,
                 out_dir: str,
                 repo_root: str,
                 command: Optional[Command] = None,
                 python: str = sys.executable,
                 progress: bool = True) -> None:
        self.grid = grid
        self.out_dir = osp.abspath(out_dir)
        self.repo_root = osp.abspath(repo_root)
        for tool in ('train.py', 'test.py'):
            if not osp.isfile(osp.join(self.repo_root, 'tools', tool)):
                raise FileNotFoundError(
                    f'{osp.join(self.repo_root, "tools", tool)} not found; '
                    'repo_root must be the mmprivact checkout.')
        self.command = command or CommandRunner(self.repo_root)
        self.python = python
        self.progress = progress
        self._datasets: Dict[str, DatasetInfo] = {}

    # -- commands ------------------------------------------------------------
    def train_command(self, run: SweepRun) -> List[str]:
        """The training command line of ``run``."""
        return [
            self.python,
            osp.join(self.repo_root, 'tools', 'train.py'), run.method.config,
            '--work-dir',
            run.run_dir(self.out_dir), '--resume', '--cfg-options',
            *self._options(run)
        ]

    def _options(self, run: SweepRun) -> List[str]:
        """``--cfg-options`` of ``run``, data roots inside the repository
        given relative to it (the commands run there): MaskDP's public
        texture is keyed by the video's path, so the fill stays the same
        on every machine and checkout."""
        return run.cfg_options_relative_to(self.repo_root)

    def test_command(self, run: SweepRun, checkpoint: str,
                     view: str) -> List[str]:
        """The test command line of ``run`` for ``view`` (``'full'`` or
        ``'masked_view'``)."""
        test_dir = osp.join(run.run_dir(self.out_dir), f'test_{view}')
        options = self._options(run)
        if run.method.test_masked_view:
            options.append('model.data_preprocessor.mask_at_test='
                           f'{view == "masked_view"}')
        return [
            self.python,
            osp.join(self.repo_root, 'tools', 'test.py'), run.method.config,
            checkpoint, '--work-dir', test_dir, '--dump',
            osp.join(test_dir, 'preds.pkl'), '--cfg-options', *options
        ]

    def plan(self) -> List[Dict[str, Any]]:
        """What a sweep invocation would do, without doing it.

        Returns:
            list[dict]: Per run ``name``, ``state`` (from its status.json)
            and ``train_command`` (a string).
        """
        out = []
        for run in self.grid.runs():
            status = RunStatus.load(run.run_dir(self.out_dir), run.name)
            out.append(dict(name=run.name, state=status.state,
                            train_command=' '.join(self.train_command(run))))
        return out

    # -- running -------------------------------------------------------------
    def run(self) -> SweepResults:
        """Run every run that is not done yet, then write the results.

        Returns:
            SweepResults: One row per run (done or failed), also written to
            ``OUT/results.json`` and ``OUT/results.csv``.
        """
        from tqdm import tqdm
        runs = self.grid.runs()
        os.makedirs(self.out_dir, exist_ok=True)
        rows: List[Dict[str, Any]] = []
        bar = tqdm(runs, desc='sweep', unit='run', disable=not self.progress,
                   file=sys.stderr, dynamic_ncols=True)
        try:
            for i, run in enumerate(bar, 1):
                bar.set_postfix_str(run.name)
                row, note = self.run_one(run)
                rows.append(row)
                self.results(rows).save(self.out_dir)
                print_log(f'[{i}/{len(runs)}] {run.name}: {note}',
                          logger='current',
                          level=(logging.INFO if row['status'] == 'done' else
                                 logging.WARNING))
        finally:
            bar.close()
        results = self.results(rows)
        results.save(self.out_dir)
        return results

    def run_one(self, run: SweepRun) -> tuple:
        """Bring one run to done (or failed), resuming what it did before.

        Args:
            run (SweepRun): The run.

        Returns:
            tuple[dict, str]: Its result row and a one-line status.
        """
        run_dir = run.run_dir(self.out_dir)
        try:
            status = RunStatus.load(run_dir, run.name)
        except ValueError as err:  # a damaged status.json: report, go on
            row = self._base_row(run, RunStatus(run.name, state='failed'))
            row.update(status='failed', error=str(err))
            return row, f'FAILED ({err})'
        result_path = osp.join(run_dir, RESULT_FILE)
        phases = ['train'] + [f'test_{v}' for v in run.views]
        if status.state == 'done' and osp.isfile(result_path) and all(
                status.phases.get(p) for p in phases):
            with open(result_path) as f:
                row = json.load(f)
            return row, f'done before ({self._describe(row)})'
        verb = dict(running='resumed and done',
                    failed='retried and done').get(status.state, 'done')
        status.state, status.error = 'running', None
        status.attempts += 1
        status.commands = []
        status.save(run_dir)
        try:
            self._run_phases(run, status)
            row = self._row(run, status)
            write_json(result_path, row)
            status.state = 'done'
            status.save(run_dir)
            return row, f'{verb} ({self._describe(row)})'
        except Exception as err:  # skip-and-report: the sweep goes on
            message = str(err) or traceback.format_exc()
            status.state = 'failed'
            status.error = message[-TAIL_CHARS:]
            status.save(run_dir)
            row = self._base_row(run, status)
            row.update(status='failed',
                       error=status.error[-ROW_ERROR_CHARS:])
            first = message.strip().splitlines()[0] if message.strip() else ''
            return row, f'FAILED ({type(err).__name__}: {first[:200]})'

    def _run_phases(self, run: SweepRun, status: RunStatus) -> None:
        run_dir = run.run_dir(self.out_dir)
        checkpoint = None
        if status.phases.get('train'):
            try:
                checkpoint = _read_checkpoint(run_dir)
            except FileNotFoundError:
                status.phases = {}
            status.checkpoint = checkpoint
        if checkpoint is None:
            cmd = self.train_command(run)
            status.commands.append(' '.join(cmd))
            status.save(run_dir)
            start = time.time()
            try:
                self.command(cmd, osp.join(run_dir, 'train.log'))
            finally:
                status.train_seconds += time.time() - start
            checkpoint = _read_checkpoint(run_dir)
            status.phases = dict(train=True)
            status.checkpoint = checkpoint
            status.save(run_dir)
        for view in run.views:
            dump = osp.join(run_dir, f'test_{view}', 'preds.pkl')
            if status.phases.get(f'test_{view}') and osp.isfile(dump):
                continue
            cmd = self.test_command(run, checkpoint, view)
            status.commands.append(' '.join(cmd))
            status.save(run_dir)
            self.command(cmd, osp.join(run_dir, f'test_{view}.log'))
            if not osp.isfile(dump):
                raise FileNotFoundError(
                    f'{" ".join(cmd)} did not write {dump}.')
            status.phases[f'test_{view}'] = True
            status.save(run_dir)

    # -- rows ----------------------------------------------------------------
    def dataset_info(self, run: SweepRun) -> DatasetInfo:
        """Class names and frequencies of ``run``'s data (cached)."""
        root = run.method.data_root
        if root not in self._datasets:
            self._datasets[root] = DatasetInfo.from_config(
                run.method.train_config, root)
        return self._datasets[root]

    def _base_row(self, run: SweepRun, status: RunStatus) -> Dict[str, Any]:
        method = run.method
        return dict(
            run=run.name, method=method.name, kind=method.kind,
            private=method.private, seed=run.seed,
            target_epsilon=run.target_epsilon, status=status.state,
            attempts=status.attempts,
            train_minutes=round(status.train_seconds / 60, 2),
            data_root=method.data_root, config=method.config,
            checkpoint=status.checkpoint, error=None)

    def _row(self, run: SweepRun, status: RunStatus) -> Dict[str, Any]:
        run_dir = run.run_dir(self.out_dir)
        row = self._base_row(run, status)
        row['status'] = 'done'
        privacy_path = osp.join(run_dir, 'privacy.json')
        if osp.isfile(privacy_path):
            with open(privacy_path) as f:
                privacy = json.load(f)
            row.update({k: privacy.get(k) for k in PRIVACY_FIELDS})
            if not privacy.get('private', run.method.private):
                # Non-private training: no DP guarantee, nothing accounted.
                row.update({k: None for k in NON_PRIVATE_NULL})
        elif run.method.private:
            raise FileNotFoundError(
                f'{privacy_path} not found: a private run must end with the '
                "PrivacyAccountantHook's report (see train.log).")
        else:
            row.update({k: None for k in PRIVACY_FIELDS})
        if run.method.kind == 'minimax':
            row['anonymizer_budget'] = (run.method.train_config.get('model')
                                        or {}).get('budget')
        info = self.dataset_info(run)
        for view in run.views:
            scores, labels = load_predictions(
                osp.join(run_dir, f'test_{view}', 'preds.pkl'))
            names = info.class_names
            if names is not None and len(names) != scores.shape[1]:
                print_log(
                    f'Sweep: {len(names)} names in classes.txt of '
                    f'{info.data_root} but {scores.shape[1]} class scores; '
                    'using class indices.', logger='current',
                    level=logging.WARNING)
                names = None
            acc = class_accuracy(scores, labels, names)
            suffix = '' if view == 'full' else '_masked_view'
            row[f'top1{suffix}'] = acc['top1']
            row[f'per_class_top1{suffix}'] = acc['per_class']
            row['num_test_videos'] = acc['num_videos']
        return row

    @staticmethod
    def _describe(row: Dict[str, Any]) -> str:
        parts = [f"top-1 {100 * row['top1']:.1f} %"]
        if row.get('top1_masked_view') is not None:
            parts.append(
                f"masked view {100 * row['top1_masked_view']:.1f} %")
        if row.get('epsilon') is not None:
            parts.append(f"epsilon {row['epsilon']:.3f}")
        parts.append(f"{row.get('train_minutes', 0):.1f} min training")
        return ', '.join(parts)

    def results(self, rows: List[Dict[str, Any]]) -> SweepResults:
        """Rows plus the sweep's description, data and skipped methods."""
        datasets = {}
        for method in self.grid.methods:
            if method.skip_reason is None and (method.data_root
                                               not in datasets):
                info = self._datasets.get(method.data_root) or (
                    DatasetInfo.from_config(method.train_config,
                                            method.data_root))
                self._datasets[method.data_root] = info
                datasets[method.data_root] = info.to_dict()
        meta = dict(sweep=self.grid.to_dict(), datasets=datasets,
                    skipped=self.grid.skipped(), out_dir=self.out_dir,
                    updated=time.strftime('%Y-%m-%d %H:%M:%S'))
        return SweepResults(rows, meta)


__all__ = ['SweepRunner', 'PRIVACY_FIELDS', 'RESULT_FILE']
