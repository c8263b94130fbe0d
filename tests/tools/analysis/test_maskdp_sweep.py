"""The sweep tool keeps finished runs, reports and plots every grid point."""
import json
from pathlib import Path

from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[3]


def _load():
    return load_script(REPO / 'tools' / 'analysis' / 'maskdp_sweep.py')


def _fake_row(mode, eps):
    acc = {'none': 0.9, 'dpsgd': 0.3, 'maskdp': 0.7}[mode]
    return dict(mode=mode, target_epsilon=eps, train_minutes=0.1,
                checkpoint='x', top1_full=acc, top1_masked=acc + 0.05,
                epsilon=None if mode == 'none' else eps * 0.99, steps=600,
                noise_multiplier=None if mode == 'none' else 2.0,
                max_grad_norm=None if mode == 'none' else 0.1,
                fill=None)


def test_sweep_skips_finished_runs_and_writes_table_and_plot(
        tmp_path, monkeypatch):
    sweep = _load()
    calls = []

    def fake_run_one(mode, eps, args):
        calls.append((mode, eps))
        if (mode, eps) == ('dpsgd', 2.0):
            raise RuntimeError('simulated crash')
        return _fake_row(mode, eps)

    monkeypatch.setattr(sweep, 'run_one', fake_run_one)
    out = tmp_path / 'sweep'
    plot = tmp_path / 'docs' / 'plot.png'
    argv = ['--eps', '1', '2', '--out', str(out), '--plot', str(plot)]
    rows = sweep.main(argv)
    # 1 non-private + 2 x 2 private points; the crashed one is reported and
    # left out, the others are kept.
    assert len(calls) == 5 and len(rows) == 4
    assert plot.is_file() and (out / 'maskdp_sweep.png').is_file()
    table = (out / 'results.md').read_text()
    assert table.count('\n') == 2 + 4
    assert '| maskdp | 1 | 0.990 |' in table
    # A second invocation only retries what is missing.
    calls.clear()
    rows = sweep.main(argv)
    assert calls == [('dpsgd', 2.0)] and len(rows) == 4
    saved = json.loads((out / 'results.json').read_text())
    assert {(r['mode'], r['target_epsilon']) for r in saved} == {
        ('none', None), ('dpsgd', 1.0), ('maskdp', 1.0), ('maskdp', 2.0)}
