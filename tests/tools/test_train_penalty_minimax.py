"""The penalty-minimax model through the usual tools: train, checkpoint,
resume, test, then reuse the trained f_A (loader and leakage tool)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.tools.dist_launch import dist_train_two_ranks

REPO = Path(__file__).resolve().parents[2]
CONFIG = (REPO / 'configs' / 'penalty_minimax' /
          'r3d_r18-w8_minimax-b0.5_1xb8-8x4x1-8e_synthetic.py')


def _tiny_options(data_root):
    opts = ['model.utility.backbone.base_channels=4',
            'model.utility.cls_head.in_channels=32',
            'model.anonymizer.encoder_channels=(4,4,8,8,8)',
            'model.anonymizer.decoder_channels=(8,8,8,8,4)',
            'model.privacy.hidden_channels=16', 'model.privacy.proj_dim=8',
            'model.anonymizer_pretrain_iters=2',
            'default_hooks.logger.interval=1', 'train_cfg.val_interval=100']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.dataset.data_root={data_root}',
                 f'{split}_dataloader.batch_size=4',
                 f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False']
    return opts


def _run(script, *args, env):
    res = subprocess.run([sys.executable, str(REPO / 'tools' / script),
                          *map(str, args)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout + res.stderr


@pytest.mark.slow
def test_train_resume_test_and_reuse_f_a(tiny_synthetic, tmp_path,
                                         monkeypatch):
    home = tmp_path / 'home'
    monkeypatch.setenv('MMPRIVACT_HOME', str(home))
    env = dict(os.environ)
    work = tmp_path / 'work'
    opts = _tiny_options(tiny_synthetic)
    iters = 4  # 16 training videos / batch 4

    out = _run('train.py', CONFIG, '--work-dir', work, '--cfg-options',
               'train_cfg.max_epochs=1', *opts, env=env)
    # 2 reconstruction iterations, then both minimax steps every iteration
    assert re.search(r'\[1\]\[2/4\].*loss_reconstruction', out)
    last = re.search(r'\[1\]\[4/4\].*', out).group(0)
    for key in ('loss_anonymizer', 'penalty_active', 'rms_change',
                'loss_utility', 'loss_privacy', 'anonymizer.lr',
                'utility.lr', 'privacy.lr'):
        assert key in last, key

    out = _run('train.py', CONFIG, '--work-dir', work, '--resume',
               '--cfg-options', 'train_cfg.max_epochs=2', *opts, env=env)
    assert re.search(r'resumed epoch: 1, iter: %d' % iters, out)
    assert re.search(r'Epoch\(train\) +\[2\]\[1/%d\]' % iters, out)
    ckpt = torch.load(work / 'epoch_2.pth', weights_only=False)
    assert int(ckpt['state_dict']['train_steps']) == 2 * iters
    assert set(ckpt['optimizer']) >= {'anonymizer', 'utility', 'privacy'}

    # The game ends after epoch 2 (anonymizer_train_iters): a resumed
    # epoch 3 trains f_T only, logs only its loss, and leaves f_A as it was.
    out = _run('train.py', CONFIG, '--work-dir', work, '--resume',
               '--cfg-options', 'train_cfg.max_epochs=3',
               f'model.anonymizer_train_iters={2 * iters}', *opts, env=env)
    assert f'f_A and f_B fixed from iteration {2 * iters} on' in out
    last = re.search(r'\[3\]\[%d/%d\].*' % (iters, iters), out).group(0)
    assert 'loss_utility' in last
    for key in ('loss_anonymizer', 'penalty', 'rms_change', 'loss_privacy'):
        assert key not in last, key
    after = torch.load(work / 'epoch_3.pth', weights_only=False)
    for name, value in ckpt['state_dict'].items():
        if name.startswith(('anonymizer.', 'privacy.')):
            assert torch.equal(value, after['state_dict'][name]), name
    assert any(not torch.equal(v, after['state_dict'][k])
               for k, v in ckpt['state_dict'].items()
               if k.startswith('utility.') and v.is_floating_point())

    out = _run('test.py', CONFIG, work / 'epoch_2.pth', '--work-dir',
               tmp_path / 'test', '--cfg-options', *opts, env=env)
    top1 = float(re.search(r'acc/top1: ([0-9.]+)', out).group(1))
    assert 0.0 <= top1 <= 1.0

    # The trained f_A, from the same checkpoint, with its saved config.
    from mmprivact.models.anonymizers import load_trained_anonymizer
    f_a = load_trained_anonymizer(str(work / 'epoch_2.pth'))
    frames = torch.rand(2, 3, 32, 32)
    assert f_a(frames).shape == frames.shape

    out = _run('eval_privacy_leakage.py', '--dataset', 'synthetic',
               '--data-root', tiny_synthetic, '--anonymizer-checkpoint',
               work / 'epoch_2.pth', '--names', 'b0.5', '--epochs', '1',
               '--size', '32', '--frames-per-video', '2', '--out',
               tmp_path / 'leak', env=env)
    rows = json.loads((tmp_path / 'leak' / 'leakage.json').read_text())
    rows = rows['rows'] if isinstance(rows, dict) else rows
    assert [r['name'] for r in rows] == ['raw', 'b0.5']

    image = tmp_path / 'examples.png'
    _run('analysis/minimax_examples.py', '--checkpoints',
         f'B=0.5:{work / "epoch_2.pth"}', '--data', tiny_synthetic, '--num',
         '3', '--size', '32', '--out', image, env=env)
    import cv2
    grid = cv2.imread(str(image))
    # raw + one checkpoint column; a title bar and one row per identity
    assert grid.shape[1] == 2 * (32 + 4)
    assert grid.shape[0] > 18 and (grid.shape[0] - 18) % (32 + 4) == 0


@pytest.mark.slow
def test_dist_train_two_cpu_ranks(tiny_synthetic, tmp_path, free_port):
    """tools/dist_train.sh with 2 ranks: the config's TrainStepDataParallel
    drives the model's own train_step (MMEngine's DDP wrapper cannot), and
    all three networks train."""
    work = tmp_path / 'work'
    out = dist_train_two_ranks(
        CONFIG, work, ['train_cfg.max_epochs=1',
                       *_tiny_options(tiny_synthetic),
                       'model.anonymizer_pretrain_iters=1'],
        port=free_port, home=tmp_path / 'home')
    # 16 videos, batch 4 per rank, 2 ranks: 2 iterations per epoch
    last = re.search(r'Epoch\(train\) +\[1\]\[2/2\].*', out).group(0)
    for key in ('loss_anonymizer', 'loss_utility', 'loss_privacy'):
        assert key in last, key
    ckpt = torch.load(work / 'epoch_1.pth', weights_only=False)
    assert int(ckpt['state_dict']['train_steps']) == 2
