"""tools/analysis/privacy_sweep.py: dry run, a (faked) sweep, report only."""
from pathlib import Path

import pytest

from tests.evaluation.sweep.fakes import FakeTools, make_data_root, \
    write_sweep
from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[3]


def _load():
    return load_script(REPO / 'tools' / 'analysis' / 'privacy_sweep.py')


@pytest.fixture
def sweep_config(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # method configs are repo-relative
    data_root = make_data_root(tmp_path / 'data')
    return str(write_sweep(tmp_path / 'sweep.py', data_root))


def test_dry_run_runs_nothing(sweep_config, tmp_path, capsys):
    tools = FakeTools()
    out = tmp_path / 'out'
    result = _load().main([sweep_config, '--out', str(out), '--dry-run'],
                          command=tools)
    assert tools.calls == [] and not out.exists()
    assert [p['name'] for p in result['plan']] == [
        'nonprivate_seed0', 'dpsgd_eps1_seed0', 'dpsgd_eps8_seed0',
        'maskdp_eps1_seed0', 'maskdp_eps8_seed0']
    printed = capsys.readouterr().out
    assert '5 runs' in printed and 'tools/train.py' in printed


def test_sweep_then_report_only(sweep_config, tmp_path, capsys):
    tool = _load()
    out = tmp_path / 'out'
    tools = FakeTools(accuracy={('maskdp', 'full'): 2})
    report = tool.main([sweep_config, '--out', str(out), '--no-examples',
                        '--no-progress'], command=tools)
    assert len([c for c in tools.calls if c[0] == 'train']) == 5
    for name in ('results.csv', 'results.json', 'report.md', 'report.html',
                 'top1_vs_epsilon.png', 'per_class_change.png'):
        assert (out / name).is_file(), name
    assert 'At epsilon 1, maskdp keeps 66.7 % top-1' in report['summary']
    assert report['summary'] in capsys.readouterr().out
    # Rebuild from results.json alone: same summary, no command run.
    (out / 'report.md').unlink()
    tools = FakeTools()
    again = tool.main([sweep_config, '--out', str(out), '--report-only',
                       '--no-examples'], command=tools)
    assert tools.calls == [] and (out / 'report.md').is_file()
    assert again['summary'] == report['summary']


def test_report_only_needs_results(sweep_config, tmp_path):
    with pytest.raises(FileNotFoundError, match='results.json not found'):
        _load().main([sweep_config, '--out', str(tmp_path / 'none'),
                      '--report-only'])
    with pytest.raises(SystemExit):
        _load().main([sweep_config, '--dry-run', '--report-only'])
