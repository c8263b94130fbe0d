"""Fake work directories laid out as train.py, test.py and
eval_privacy_leakage.py leave them."""
import json
from pathlib import Path
from typing import Optional


def make_run(work_dir: Path, *, seed: Optional[int], top1: float,
             identity: Optional[float] = None, raw_identity: float = 0.98,
             stamp: str = '20261205_120000') -> Path:
    """Write a dumped config, a training scalar log, a test result and,
    with ``identity``, a leakage JSON into ``work_dir``."""
    train_dir = work_dir / '20261205_100000' / 'vis_data'
    train_dir.mkdir(parents=True)
    (work_dir / 'run_config.py').write_text(
        f'randomness = dict(seed={seed})\n')
    # Training logs one JSON object per line; it is not a test result.
    (train_dir / '20261205_100000.json').write_text(
        '{"acc/top1": 0.1, "epoch": 1}\n{"acc/top1": 0.2, "epoch": 2}\n')
    (work_dir / stamp).mkdir()
    (work_dir / stamp / f'{stamp}.json').write_text(
        json.dumps({'acc/top1': top1, 'acc/top5': 1.0}))
    if identity is not None:
        (work_dir / 'leakage_identity').mkdir()
        rows = [dict(name='raw', checkpoint=None, top1=raw_identity),
                dict(name='run', checkpoint=str(work_dir / 'epoch_8.pth'),
                     top1=identity)]
        (work_dir / 'leakage_identity' / 'leakage.json').write_text(
            json.dumps(dict(rows=rows)))
    return work_dir
