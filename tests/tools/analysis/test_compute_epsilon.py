"""The epsilon CLI agrees with the library it fronts and rejects bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmprivact.datasets.samplers.poisson_batch_sampler import \
    PoissonBatchSampler
from mmprivact.privacy import calibrate_noise_multiplier, compute_epsilon
from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / 'tools/analysis/compute_epsilon.py'
KEYS = {'accountant', 'delta', 'sample_rate', 'steps', 'noise_multiplier',
        'epsilon'}


@pytest.fixture(scope='module')
def tool():
    """The script, imported as a module."""
    return load_script(SCRIPT, 'compute_epsilon_tool')


@pytest.mark.parametrize('sigma,q,steps,delta', [(1.1, 0.05, 200, 1e-5),
                                                 (0.7, 0.01, 500, 1e-6)])
def test_epsilon_equals_library(tool, capsys, sigma, q, steps, delta):
    result = tool.main(['--noise-multiplier', str(sigma), '--sample-rate',
                        str(q), '--steps', str(steps), '--delta',
                        str(delta)])
    expected = compute_epsilon(noise_multiplier=sigma, sample_rate=q,
                               steps=steps, delta=delta, accountant='rdp')
    assert result['epsilon'] == pytest.approx(expected, rel=1e-12)
    assert (result['accountant'], result['sample_rate'], result['steps'],
            result['noise_multiplier']) == ('rdp', q, steps, sigma)
    out = capsys.readouterr().out
    assert out.count('\n') == 1 and f'{expected:.4f}' in out


def test_prv_equals_library(tool, capsys):
    result = tool.main(['--noise-multiplier', '1.0', '--sample-rate', '0.05',
                        '--steps', '100', '--accountant', 'prv'])
    assert result['epsilon'] == pytest.approx(compute_epsilon(
        noise_multiplier=1.0, sample_rate=0.05, steps=100, delta=1e-5,
        accountant='prv'), rel=1e-9)


class _Records:
    """Stand-in for a dataloader sampler: only its dataset length counts."""

    def __init__(self, num_records):
        self.dataset = range(num_records)


@pytest.mark.parametrize('batch,world,records,epochs', [(16, 1, 480, 3),
                                                        (16, 1, 500, 2),
                                                        (4, 4, 480, 3)])
def test_batch_epoch_form_equals_rate_step_form(tool, capsys, batch, world,
                                                records, epochs):
    q = batch * world / records
    steps = epochs * max(1, round(1 / q))
    if world == 1:  # the sampler's own epoch length (single process)
        sampler = PoissonBatchSampler(_Records(records), batch, seed=0)
        assert sampler.sample_rate == q
        assert steps == epochs * len(sampler)
    by_batch = tool.main(['--noise-multiplier', '1.0', '--batch-size',
                          str(batch), '--world-size', str(world),
                          '--dataset-size', str(records), '--epochs',
                          str(epochs)])
    by_rate = tool.main(['--noise-multiplier', '1.0', '--sample-rate',
                         repr(q), '--steps', str(steps)])
    assert by_batch == by_rate
    assert (by_batch['sample_rate'], by_batch['steps']) == (q, steps)


def test_target_epsilon_round_trip(tool, capsys):
    target, q, steps = 3.0, 0.05, 200
    calibrated = tool.main(['--target-epsilon', str(target), '--sample-rate',
                            str(q), '--steps', str(steps)])
    sigma = calibrated['noise_multiplier']
    assert sigma == calibrate_noise_multiplier(
        target_epsilon=target, delta=1e-5, sample_rate=q, steps=steps)
    assert calibrated['target_epsilon'] == target
    back = tool.main(['--noise-multiplier', repr(sigma), '--sample-rate',
                      str(q), '--steps', str(steps)])
    assert back['epsilon'] == pytest.approx(calibrated['epsilon'], rel=1e-12)
    assert target - 0.02 <= back['epsilon'] <= target
    out = capsys.readouterr().out
    assert f'{sigma:.6g}' in out


def test_json_output(tool, capsys):
    result = tool.main(['--noise-multiplier', '1.1', '--batch-size', '16',
                        '--dataset-size', '480', '--epochs', '2', '--json'])
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == KEYS
    assert printed == result
    assert printed['steps'] == 60 and printed['delta'] == 1e-5


def test_json_both_is_keyed_by_accountant(tool, capsys):
    result = tool.main(['--noise-multiplier', '1.0', '--sample-rate', '0.05',
                        '--steps', '100', '--accountant', 'both', '--json'])
    printed = json.loads(capsys.readouterr().out)
    assert printed == result
    assert set(printed) == {'rdp', 'prv'}
    for name, entry in printed.items():
        assert set(entry) == KEYS and entry['accountant'] == name
    # Both bound the same mechanism; PRV is the tighter of the two here.
    assert 0 < printed['prv']['epsilon'] <= printed['rdp']['epsilon']


BASE = ['--sample-rate', '0.05', '--steps', '100']


@pytest.mark.parametrize('argv,mentions', [
    (['--noise-multiplier', '1', '--batch-size', '32', '--dataset-size',
      '16', '--steps', '100'], ['--batch-size', '> 1']),
    (['--noise-multiplier', '1', '--batch-size', '8', '--world-size', '4',
      '--dataset-size', '16', '--steps', '100'], ['--batch-size', '> 1']),
    (['--noise-multiplier', '1', '--sample-rate', '1.5', '--steps', '100'],
     ['--sample-rate']),
    (['--noise-multiplier', '1', '--target-epsilon', '3'] + BASE,
     ['--noise-multiplier', '--target-epsilon']),
    (BASE, ['--noise-multiplier', '--target-epsilon']),
    (['--noise-multiplier', '1', '--sample-rate', '0.05', '--batch-size', '4',
      '--steps', '100'], ['--sample-rate', '--batch-size']),
    (['--noise-multiplier', '1', '--batch-size', '4', '--steps', '100'],
     ['--dataset-size']),
    (['--noise-multiplier', '1', '--dataset-size', '100'] + BASE,
     ['--dataset-size']),
    (['--noise-multiplier', '1', '--sample-rate', '0.05', '--steps', '100',
      '--epochs', '2'], ['--steps', '--epochs']),
    (['--noise-multiplier', '1', '--sample-rate', '0.05'],
     ['--steps', '--epochs']),
    (['--noise-multiplier', '-1'] + BASE, ['--noise-multiplier']),
    (['--noise-multiplier', '1', '--delta', '1.5'] + BASE, ['--delta']),
])
def test_bad_arguments_exit_2(tool, capsys, argv, mentions):
    with pytest.raises(SystemExit) as exc:
        tool.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert 'error:' in err
    for text in mentions:
        assert text in err


def test_runs_as_script():
    res = subprocess.run(
        [sys.executable, str(SCRIPT), '--noise-multiplier', '1.1',
         '--batch-size', '16', '--dataset-size', '480', '--epochs', '5',
         '--json'], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    printed = json.loads(res.stdout)
    assert set(printed) == KEYS
    assert printed['steps'] == 150
    assert printed['epsilon'] == pytest.approx(compute_epsilon(
        noise_multiplier=1.1, sample_rate=16 / 480, steps=150, delta=1e-5))
