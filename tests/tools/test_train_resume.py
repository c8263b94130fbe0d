"""tools/train.py trains, checkpoints and resumes; tools/test.py evaluates."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.tools.dist_launch import dist_train_two_ranks

REPO = Path(__file__).resolve().parents[2]
CONFIG = (REPO / 'configs' / 'nonprivate' /
          'r3d_r18-w8_nonprivate_1xb16-16x2x1-40e_synthetic.py')


def _tiny_options(data_root):
    opts = ['model.backbone.base_channels=4', 'model.cls_head.in_channels=32',
            'default_hooks.logger.interval=1',
            'train_cfg.val_interval=100']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.dataset.data_root={data_root}',
                 f'{split}_dataloader.batch_size=4',
                 f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False']
    return opts


def _run(script, *args, env):
    res = subprocess.run([sys.executable, str(REPO / 'tools' / script),
                          *map(str, args)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout + res.stderr


@pytest.mark.slow
def test_train_checkpoint_resume_test(tiny_synthetic, tmp_path):
    env = dict(os.environ, MMPRIVACT_HOME=str(tmp_path / 'home'))
    work = tmp_path / 'work'
    opts = _tiny_options(tiny_synthetic)
    iters_per_epoch = 4  # 16 training videos / batch 4

    _run('train.py', CONFIG, '--work-dir', work, '--cfg-options',
         'train_cfg.max_epochs=1', *opts, env=env)
    first = work / 'epoch_1.pth'
    assert first.is_file() and Path(str(first) + '.sig').is_file()

    out = _run('train.py', CONFIG, '--work-dir', work, '--resume',
               '--cfg-options', 'train_cfg.max_epochs=2', *opts, env=env)
    assert re.search(r'resumed epoch: 1, iter: %d' % iters_per_epoch, out)
    # Training continued from iteration 5, it did not start over.
    assert re.search(r'Epoch\(train\) +\[2\]\[1/%d\]' % iters_per_epoch, out)
    assert not re.search(r'Epoch\(train\) +\[1\]\[', out)
    meta = torch.load(work / 'epoch_2.pth', weights_only=False)['meta']
    assert (meta['epoch'], meta['iter']) == (2, 2 * iters_per_epoch)

    out = _run('test.py', CONFIG, work / 'epoch_2.pth', '--work-dir',
               tmp_path / 'test', '--cfg-options', *opts, env=env)
    top1 = float(re.search(r'acc/top1: ([0-9.]+)', out).group(1))
    assert 0.0 <= top1 <= 1.0


@pytest.mark.slow
def test_resume_refuses_an_unsigned_checkpoint(tiny_synthetic, tmp_path):
    """A full checkpoint not written by our runs is not unpickled."""
    env = dict(os.environ, MMPRIVACT_HOME=str(tmp_path / 'home'))
    work = tmp_path / 'work'
    opts = _tiny_options(tiny_synthetic)
    _run('train.py', CONFIG, '--work-dir', work, '--cfg-options',
         'train_cfg.max_epochs=1', *opts, env=env)
    os.remove(work / 'epoch_1.pth.sig')
    res = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'train.py'), str(CONFIG),
         '--work-dir', str(work), '--resume', '--cfg-options',
         'train_cfg.max_epochs=2', *opts],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode != 0
    assert 'trust_checkpoint.py' in res.stderr


@pytest.mark.slow
def test_dist_train_two_cpu_processes(tiny_synthetic, tmp_path, free_port):
    """tools/dist_train.sh launches 2 ranks (gloo on CPU) that train, and
    both exit cleanly (the process group is destroyed before exit)."""
    work = tmp_path / 'work'
    out = dist_train_two_ranks(
        CONFIG, work, ['train_cfg.max_epochs=1',
                       *_tiny_options(tiny_synthetic)],
        port=free_port, home=tmp_path / 'home')
    # 16 videos, batch 4 per rank, 2 ranks: 2 iterations per epoch.
    assert re.search(r'Epoch\(train\) +\[1\]\[2/2\]', out)
    assert (work / 'epoch_1.pth').is_file()
    assert (work / 'epoch_1.pth.sig').is_file()
