"""The sweep runner: resume, skip-and-report, rows from real file formats."""
import csv
import json

import pytest

from mmprivact.evaluation.sweep import (RunStatus, SweepGrid, SweepResults,
                                        SweepRunner)
from .fakes import CLASSES, REPO, FakeTools, make_data_root, write_sweep


@pytest.fixture
def grid(tmp_path):
    data_root = make_data_root(tmp_path / 'data')
    return SweepGrid(str(write_sweep(tmp_path / 'sweep.py', data_root)),
                     base_dir=str(REPO))


def _runner(grid, out, tools):
    return SweepRunner(grid, str(out), str(REPO), command=tools,
                       progress=False)


def test_failures_are_reported_and_the_sweep_goes_on(grid, tmp_path):
    out = tmp_path / 'out'
    tools = FakeTools(accuracy={('maskdp', 'full'): 2,
                                ('maskdp', 'masked_view'): 3},
                      fail={'dpsgd_eps1_seed0': 1},
                      crash={'dpsgd_eps8_seed0'})
    results = _runner(grid, out, tools).run()
    # Every run was attempted although the 2nd and 3rd broke.
    assert [c[1] for c in tools.calls if c[0] == 'train'] == [
        'nonprivate_seed0', 'dpsgd_eps1_seed0', 'dpsgd_eps8_seed0',
        'maskdp_eps1_seed0', 'maskdp_eps8_seed0']
    status = {r['run']: r['status'] for r in results.rows}
    assert status == {'nonprivate_seed0': 'done', 'dpsgd_eps1_seed0':
                      'failed', 'dpsgd_eps8_seed0': 'failed',
                      'maskdp_eps1_seed0': 'done',
                      'maskdp_eps8_seed0': 'done'}
    failed = RunStatus.load(str(out / 'runs' / 'dpsgd_eps1_seed0'),
                            'dpsgd_eps1_seed0')
    assert failed.state == 'failed' and 'RuntimeError: simulated' in (
        failed.error)
    crashed = RunStatus.load(str(out / 'runs' / 'dpsgd_eps8_seed0'),
                             'dpsgd_eps8_seed0')
    assert 'simulated crash' in crashed.error
    # The row of a finished MaskDP run: privacy.json and the dumps.
    row = next(r for r in results.rows if r['run'] == 'maskdp_eps1_seed0')
    assert row['epsilon'] == pytest.approx(0.99)
    assert (row['noise_multiplier'], row['max_grad_norm'], row['steps'],
            row['dataset_size']) == (2.5, 0.1, 600, 480)
    assert row['fill'] == 'public_texture(seed=0)'
    assert row['top1'] == pytest.approx(2 / 3)
    assert row['top1_masked_view'] == pytest.approx(1.0)
    assert row['per_class_top1'] == {'wave': 1.0, 'clap': 1.0, 'jump': 0.0}
    assert row['checkpoint'].endswith('maskdp_eps1_seed0/epoch_1.pth')
    # Non-private: no epsilon and no accountant numbers, sampling kept.
    ref = results.rows[0]
    assert ref['target_epsilon'] is None and ref['epsilon'] is None
    assert ref['steps'] is None and ref['dataset_size'] == 480
    assert ref.get('top1_masked_view') is None
    # The files agree with the rows.
    saved = SweepResults.load(str(out))
    assert saved.rows == json.loads(json.dumps(results.rows))
    assert saved.meta['datasets'][grid.data_root]['class_names'] == CLASSES
    with open(out / 'results.csv') as f:
        csv_rows = list(csv.DictReader(f))
    assert [r['run'] for r in csv_rows] == [r['run'] for r in results.rows]
    maskdp = next(r for r in csv_rows if r['run'] == 'maskdp_eps1_seed0')
    assert float(maskdp['top1/jump']) == 0.0
    assert float(maskdp['top1_masked_view/jump']) == 1.0


def test_second_invocation_skips_done_and_retries_failed(grid, tmp_path):
    out = tmp_path / 'out'
    _runner(grid, out, FakeTools(fail={'dpsgd_eps1_seed0': 1},
                                 crash={'dpsgd_eps8_seed0'})).run()
    tools = FakeTools()
    results = _runner(grid, out, tools).run()
    assert tools.calls == [
        ('train', 'dpsgd_eps1_seed0'), ('test', 'dpsgd_eps1_seed0', 'full'),
        ('train', 'dpsgd_eps8_seed0'), ('test', 'dpsgd_eps8_seed0', 'full')
    ]
    assert all(r['status'] == 'done' for r in results.rows)
    retried = RunStatus.load(str(out / 'runs' / 'dpsgd_eps1_seed0'),
                             'dpsgd_eps1_seed0')
    assert (retried.state, retried.attempts, retried.error) == ('done', 2,
                                                                None)
    # A third invocation does nothing at all.
    tools = FakeTools()
    _runner(grid, out, tools).run()
    assert tools.calls == []


def test_interrupted_run_resumes_from_the_missing_phase(grid, tmp_path):
    out = tmp_path / 'out'
    _runner(grid, out, FakeTools()).run()
    # maskdp eps 8 died while testing the masked view: status 'running',
    # training finished, that dump missing.
    run_dir = out / 'runs' / 'maskdp_eps8_seed0'
    status = RunStatus.load(str(run_dir), 'maskdp_eps8_seed0')
    status.state = 'running'
    del status.phases['test_masked_view']
    status.save(str(run_dir))
    (run_dir / 'test_masked_view' / 'preds.pkl').unlink()
    # nonprivate died during training: no phase done.
    run_dir = out / 'runs' / 'nonprivate_seed0'
    status = RunStatus.load(str(run_dir), 'nonprivate_seed0')
    status.state, status.phases = 'running', {}
    status.save(str(run_dir))
    tools = FakeTools()
    results = _runner(grid, out, tools).run()
    assert tools.calls == [('train', 'nonprivate_seed0'),
                           ('test', 'nonprivate_seed0', 'full'),
                           ('test', 'maskdp_eps8_seed0', 'masked_view')]
    assert len(results.done()) == 5


def test_plan_lists_commands_without_running(grid, tmp_path):
    tools = FakeTools()
    plan = _runner(grid, tmp_path / 'out', tools).plan()
    assert tools.calls == []
    assert [p['state'] for p in plan] == ['pending'] * 5
    assert '--resume' in plan[1]['train_command']
    assert 'custom_hooks.0.target_epsilon=1.0' in plan[1]['train_command']


def test_damaged_status_is_reported_not_fatal(grid, tmp_path):
    out = tmp_path / 'out'
    run_dir = out / 'runs' / 'dpsgd_eps1_seed0'
    run_dir.mkdir(parents=True)
    (run_dir / 'status.json').write_text('{not json')
    tools = FakeTools()
    results = _runner(grid, out, tools).run()
    row = next(r for r in results.rows if r['run'] == 'dpsgd_eps1_seed0')
    assert row['status'] == 'failed'
    assert 'status.json is not valid JSON' in row['error']
    assert 'delete it' in row['error']
    assert len(results.done()) == 4
    assert ('train', 'dpsgd_eps1_seed0') not in tools.calls


def test_data_roots_inside_the_run_folder_are_passed_relative(grid, tmp_path):
    """MaskDP's public texture is keyed by the video path: a data root in
    the repository reaches the commands as the same relative path on every
    machine; one elsewhere stays absolute."""
    run = next(r for r in grid.runs() if r.method.name == 'maskdp')
    inside = run.cfg_options_relative_to(str(tmp_path))
    roots = [o for o in inside if '.data_root=' in o]
    assert roots and all(o.split('=', 1)[1] == 'data' for o in roots)
    elsewhere = run.cfg_options_relative_to(str(tmp_path / 'other'))
    assert all(o.split('=', 1)[1] == str(tmp_path / 'data')
               for o in elsewhere if '.data_root=' in o)
    runner = _runner(grid, tmp_path / 'out', FakeTools())
    assert runner.train_command(run)[-len(elsewhere):] == elsewhere
