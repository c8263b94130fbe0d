"""PrivacyAccountantHook through the whole tools/train.py path: each mode
trains, privacy.json reports what ran, resume continues epsilon, the budget
stops training, and the wiring is checked with messages that say the fix."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mmprivact.privacy import compute_epsilon

from ...tools.dist_launch import dist_train_two_ranks
from ...tools.test_train_resume import _tiny_options

REPO = Path(__file__).resolve().parents[3]
CONFIGS = REPO / 'configs' / 'maskdp'
MASKDP = CONFIGS / 'r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py'
DPSGD = CONFIGS / 'r3d_r18-w8-gn_dpsgd-eps1-c1_1xb16-8x4x1-20e_synthetic.py'
NONE = CONFIGS / 'r3d_r18-w8-gn_nonprivate_1xb16-8x4x1-20e_synthetic.py'
STEPS_PER_EPOCH = 4  # 16 training videos, expected batch 4: q = 1/4
Q = 0.25


def tiny_options(data_root, epochs=1):
    """The tiny-run options of the train/resume tests, plus GroupNorm groups
    that divide the 4 base channels and the number of epochs."""
    return _tiny_options(data_root) + [
        'model.backbone.norm_cfg.num_groups=2',
        f'train_cfg.max_epochs={epochs}']


def train(config, work, *options, resume=False, check=True):
    env = dict(os.environ, MMPRIVACT_HOME=str(work.parent / 'home'))
    cmd = [sys.executable, str(REPO / 'tools' / 'train.py'), str(config),
           '--work-dir', str(work)]
    if resume:
        cmd.append('--resume')
    res = subprocess.run(cmd + ['--cfg-options', *options], cwd=REPO,
                         env=env, capture_output=True, text=True,
                         timeout=600)
    out = res.stdout + res.stderr
    if check:
        assert res.returncode == 0, out[-4000:]
    return res.returncode, out


def report(work):
    return json.loads((work / 'privacy.json').read_text())


@pytest.mark.slow
@pytest.mark.parametrize('config,mode', [(MASKDP, 'maskdp'),
                                         (DPSGD, 'dpsgd')])
def test_private_modes_train_and_report_a_true_epsilon(
        tiny_synthetic, tmp_path, config, mode):
    work = tmp_path / 'work'
    _, out = train(config, work, *tiny_options(tiny_synthetic, epochs=2))
    rep = report(work)
    assert rep['mode'] == mode and rep['private'] is True
    assert rep['steps'] == 2 * STEPS_PER_EPOCH
    assert rep['sample_rate'] == pytest.approx(Q)
    assert rep['dataset_size'] == 16 and rep['delta'] == 1e-5
    # Calibrated for the planned 8 steps to spend exactly the target.
    assert rep['target_epsilon'] == 1.0
    assert 0.98 <= rep['epsilon'] <= 1.0
    assert rep['epsilon'] == pytest.approx(compute_epsilon(
        noise_multiplier=rep['noise_multiplier'], sample_rate=Q,
        steps=rep['steps'], delta=1e-5), rel=1e-9)
    assert rep['fill'] == ('public_texture(seed=0)' if mode == 'maskdp'
                           else None)
    assert re.search(r'epsilon: 0\.\d+', out)  # train/epsilon in the log
    assert 'Privacy spent: epsilon=' in out


@pytest.mark.slow
def test_mode_none_trains_without_an_epsilon(tiny_synthetic, tmp_path):
    work = tmp_path / 'work'
    _, out = train(NONE, work, *tiny_options(tiny_synthetic))
    rep = report(work)
    assert rep['private'] is False and rep['epsilon'] is None
    assert "mode='none'" in out


@pytest.mark.slow
def test_resume_continues_epsilon_and_the_budget_stops_training(
        tiny_synthetic, tmp_path):
    sigma = 0.9
    fixed = ['custom_hooks.0.target_epsilon=None',
             f'custom_hooks.0.noise_multiplier={sigma}']
    work = tmp_path / 'work'
    train(MASKDP, work, *tiny_options(tiny_synthetic, epochs=1), *fixed)
    first = report(work)
    assert first['steps'] == STEPS_PER_EPOCH

    # Resume for a second epoch with a budget that allows 6 steps in all.
    budget = compute_epsilon(noise_multiplier=sigma, sample_rate=Q,
                             steps=6, delta=1e-5) + 1e-6
    _, out = train(MASKDP, work, *tiny_options(tiny_synthetic, epochs=2),
                   *fixed, f'custom_hooks.0.max_epsilon={budget}',
                   resume=True)
    assert f'Privacy accountant resumed: {STEPS_PER_EPOCH} steps' in out
    assert 'Privacy budget reached' in out
    rep = report(work)
    assert rep['steps'] == 6 and rep['stopped_at_budget'] is True
    assert rep['epsilon'] <= budget
    assert rep['epsilon'] > first['epsilon']  # continued, not restarted
    assert rep['epsilon'] == pytest.approx(compute_epsilon(
        noise_multiplier=sigma, sample_rate=Q, steps=6, delta=1e-5),
        rel=1e-9)


@pytest.mark.slow
def test_wiring_errors_name_the_fix(tiny_synthetic, tmp_path):
    opts = tiny_options(tiny_synthetic)
    code, out = train(MASKDP, tmp_path / 'a', *opts,
                      "train_dataloader.batch_sampler=None", check=False)
    assert code != 0 and "batch_sampler=dict(type='PoissonBatchSampler')" \
        in out
    env = dict(os.environ, MMPRIVACT_HOME=str(tmp_path / 'home'))
    res = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'train.py'), str(MASKDP),
         '--amp', '--work-dir', str(tmp_path / 'c'), '--cfg-options', *opts],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode != 0 and '--amp' in res.stderr


@pytest.mark.slow
def test_dist_train_two_ranks_spends_what_one_process_spends(
        tiny_synthetic, tmp_path, free_port):
    """2 CPU ranks, expected batch 2 each: q = 2 * 2 / 16, as one process
    with batch 4; the same steps give the same epsilon."""
    sigma = 1.1
    opts = tiny_options(tiny_synthetic) + [
        'train_dataloader.batch_size=2',
        'custom_hooks.0.target_epsilon=None',
        f'custom_hooks.0.noise_multiplier={sigma}']
    work = tmp_path / 'work'
    dist_train_two_ranks(MASKDP, work, opts, port=free_port,
                         home=tmp_path / 'home')
    rep = report(work)
    assert rep['sample_rate'] == pytest.approx(Q)
    assert rep['steps'] == STEPS_PER_EPOCH
    assert rep['epsilon'] == pytest.approx(compute_epsilon(
        noise_multiplier=sigma, sample_rate=Q, steps=STEPS_PER_EPOCH,
        delta=1e-5), rel=1e-9)


@pytest.mark.slow
def test_empty_poisson_batches_still_step_through_worker_processes(
        tiny_synthetic, tmp_path):
    """Expected batch 1 of 16 videos: about a third of the batches are
    empty; each still takes a (noise-only) step, through a worker process
    whose collate function must let the empty batch through."""
    opts = tiny_options(tiny_synthetic) + [
        'train_dataloader.batch_size=1', 'train_dataloader.num_workers=1',
        'train_dataloader.persistent_workers=True',
        'train_dataloader.batch_sampler.seed=0']
    work = tmp_path / 'work'
    _, out = train(MASKDP, work, *opts)
    assert re.search(r'batch_videos: 0\.0000', out)  # an empty batch ran
    rep = report(work)
    assert rep['steps'] == 16 and rep['sample_rate'] == pytest.approx(1 / 16)
