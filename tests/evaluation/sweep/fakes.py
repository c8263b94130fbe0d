"""Test doubles for the sweep: a tiny data root, sweep configs, and a fake
``tools/train.py`` / ``tools/test.py`` that writes what the real ones do."""
import json
import os
import os.path as osp
from pathlib import Path
from typing import Dict, List, Optional

import mmengine
import torch

REPO = Path(__file__).resolve().parents[3]
CONFIGS = dict(
    nonprivate='configs/maskdp/'
    'r3d_r18-w8-gn_nonprivate_1xb16-8x4x1-20e_synthetic.py',
    dpsgd='configs/maskdp/r3d_r18-w8-gn_dpsgd-eps1-c1_1xb16-8x4x1-20e_'
    'synthetic.py',
    maskdp='configs/maskdp/'
    'r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py',
    minimax='configs/penalty_minimax/'
    'r3d_r18-w8_minimax-b0.5_1xb8-8x4x1-8e_synthetic.py')
CLASSES = ['wave', 'clap', 'jump']
#: Training videos per class in the fake data root (frequency order
#: differs from index order on purpose).
TRAIN_COUNTS = [2, 5, 3]


def make_data_root(root: Path) -> Path:
    """Annotation lists and classes.txt (no videos: the fake tools do not
    read them)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / 'classes.txt').write_text('\n'.join(CLASSES) + '\n')
    lines = [f'videos/t{k}_{i}.mp4 {k}' for k, n in enumerate(TRAIN_COUNTS)
             for i in range(n)]
    (root / 'train.txt').write_text('\n'.join(lines) + '\n')
    for split in ('val', 'test'):
        (root / f'{split}.txt').write_text(''.join(
            f'videos/{split}{k}.mp4 {k}\n' for k in range(len(CLASSES))))
    return root


def write_sweep(path: Path, data_root: Path, **values) -> Path:
    """A sweep config file; ``values`` override the defaults."""
    cfg = dict(
        data_root=str(data_root),
        seeds=[0],
        epsilons=[1, 8],
        methods=dict(
            nonprivate=dict(config=CONFIGS['nonprivate']),
            dpsgd=dict(config=CONFIGS['dpsgd']),
            maskdp=dict(config=CONFIGS['maskdp'], test_masked_view=True)),
        cfg_options={})
    cfg.update(values)
    path.write_text(''.join(f'{k} = {v!r}\n' for k, v in cfg.items()))
    return path


def _option(cmd: List[str], key: str) -> Optional[str]:
    for item in cmd:
        if item.startswith(key + '='):
            return item.split('=', 1)[1]
    return None


class FakeTools:
    """Stands in for ``tools/train.py`` and ``tools/test.py``.

    Training writes a checkpoint, ``last_checkpoint`` and (with a
    ``PrivacyAccountantHook`` epsilon option) ``privacy.json``; testing
    dumps predictions in ``DumpResults`` format whose top-1 is
    ``accuracy[(method, view)]`` (first ``n`` of every class right).

    Args:
        accuracy (dict): ``{(method, 'full'|'masked_view'): correct
            videos per class (0..1 of the 1 test video per class)}``; the
            default gets class 0 right.
        fail (dict): ``{run name: number of times its training fails}``.
        crash (set): Run names whose training raises a plain exception
            (not a command failure).
    """

    def __init__(self, accuracy: Optional[Dict] = None,
                 fail: Optional[Dict[str, int]] = None,
                 crash: Optional[set] = None) -> None:
        self.accuracy = accuracy or {}
        self.fail = dict(fail or {})
        self.crash = set(crash or ())
        self.calls: List[tuple] = []

    def __call__(self, cmd, log_file) -> None:
        cmd = list(cmd)
        tool = osp.basename(cmd[1])
        with open(log_file, 'a') as f:
            f.write(' '.join(cmd) + '\n')
        if tool == 'train.py':
            work = cmd[cmd.index('--work-dir') + 1]
            run = osp.basename(work)
            self.calls.append(('train', run))
            assert '--resume' in cmd
            if run in self.crash:
                raise OSError(f'simulated crash of {run}')
            if self.fail.get(run, 0) > 0:
                self.fail[run] -= 1
                from mmprivact.evaluation.sweep import CommandFailedError
                with open(log_file, 'a') as f:
                    f.write('Traceback ...\nRuntimeError: simulated\n')
                raise CommandFailedError(cmd, 1, log_file)
            self._train(cmd, work)
        else:
            work = cmd[cmd.index('--work-dir') + 1]
            run = osp.basename(osp.dirname(work))
            masked = _option(cmd, 'model.data_preprocessor.mask_at_test')
            view = 'masked_view' if masked == 'True' else 'full'
            self.calls.append(('test', run, view))
            self._test(cmd, run, view)

    @staticmethod
    def _train(cmd: List[str], work: str) -> None:
        os.makedirs(work, exist_ok=True)
        ckpt = osp.join(work, 'epoch_1.pth')
        Path(ckpt).write_text('fake')
        Path(work, 'last_checkpoint').write_text(ckpt)
        eps = next((item.split('=', 1)[1] for item in cmd
                    if '.target_epsilon=' in item), None)
        private = eps is not None
        privacy = dict(
            mode='maskdp' if 'maskdp' in cmd[2] else
            ('dpsgd' if private else 'none'),
            private=private,
            epsilon=float(eps) * 0.99 if private else None,
            delta=1e-5, accountant='rdp',
            noise_multiplier=2.5 if private else None,
            max_grad_norm=0.1 if private else None, sample_rate=1 / 30,
            expected_batch_size=16.0, steps=600 if private else 0,
            dataset_size=480, fill='public_texture(seed=0)'
            if 'maskdp' in cmd[2] else None, stopped_at_budget=False)
        Path(work, 'privacy.json').write_text(json.dumps(privacy))

    def _test(self, cmd: List[str], run: str, view: str) -> None:
        from mmaction.structures import ActionDataSample
        method = run.split('_eps')[0].split('_seed')[0]
        right = self.accuracy.get((method, view), 1)
        records = []
        for label in range(len(CLASSES)):
            scores = torch.full((len(CLASSES), ), 0.1)
            predicted = label if label < right else (label + 1) % len(
                CLASSES)
            scores[predicted] = 0.8
            sample = ActionDataSample().set_gt_label(label)
            sample.set_pred_score(scores)
            records.append(sample.to_dict())
        dump = cmd[cmd.index('--dump') + 1]
        os.makedirs(osp.dirname(dump), exist_ok=True)
        mmengine.dump(records, dump)
