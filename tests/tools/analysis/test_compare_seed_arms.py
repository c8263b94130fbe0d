"""compare_seed_arms.py pairs raw and anonymized runs by seed, reports the
mean gaps with intervals, and judges issue 5's target honestly."""
import json
from pathlib import Path

import pytest

from tests.evaluation.run_dirs import make_run
from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / 'tools/analysis/compare_seed_arms.py'


@pytest.fixture(scope='module')
def tool():
    return load_script(SCRIPT, 'compare_seed_arms_tool')


def _arms(tmp_path, raw, anonymized, identity):
    """Raw and anonymized runs for seeds 0..n-1; order of dirs shuffled."""
    ref = [make_run(tmp_path / f'raw{s}', seed=s, top1=t)
           for s, t in enumerate(raw)]
    ano = [make_run(tmp_path / f'ano{s}', seed=s, top1=t, identity=i)
           for s, (t, i) in enumerate(zip(anonymized, identity))]
    return [str(p) for p in ref[::-1]], [str(p) for p in ano]


def test_met_in_the_mean_but_not_with_confidence(tool, tmp_path, capsys):
    ref, ano = _arms(tmp_path, [0.60, 0.50, 0.70], [0.56, 0.36, 0.66],
                     [0.30, 0.40, 0.20])
    tool.main(['--reference', *ref, '--anonymized', *ano, '--out',
               str(tmp_path / 'out')])
    report = json.loads((tmp_path / 'out' / 'comparison.json').read_text())
    assert report['seeds'] == [0, 1, 2]
    assert report['action_gap']['differences'] == pytest.approx([4, 14, 4])
    assert report['action_gap']['mean_difference'] == pytest.approx(22 / 3)
    assert report['action_within_margin'] == 'met in the mean only'
    assert report['identity_drop']['differences'] == pytest.approx(
        [68, 58, 78])
    assert report['identity_below_raw'] == 'met (whole interval)'
    assert report['seeds_meeting_both'] == [0, 2]
    out = capsys.readouterr().out
    assert '| 1 | 50.0 | 36.0 | +14.0 | 98.0 | 40.0 | +58.0 |' in out
    assert (tmp_path / 'out' / 'comparison.md').read_text() == out


def test_exactly_at_the_bar_counts_and_a_miss_is_not_met(tool, tmp_path):
    ref, ano = _arms(tmp_path, [0.6625, 0.6625], [0.5625, 0.4], [0.5, 0.5])
    report = tool.compare(
        tool._by_seed(ref, '--reference'),
        tool._by_seed(ano, '--anonymized', leakage_subdir='leakage_identity'),
        action_margin=10, identity_drop=30, confidence=0.95)
    assert report['seeds_meeting_both'] == [0]  # 10.0 points: on the bar
    assert report['action_within_margin'] == 'not met'


def test_bad_input_exits_with_the_fix(tool, tmp_path):
    ref, ano = _arms(tmp_path, [0.6, 0.5, 0.7], [0.5, 0.4, 0.6],
                     [0.3, 0.3, 0.3])
    with pytest.raises(SystemExit, match=r'seeds \[2\] are in one arm only'):
        tool.main(['--reference', *ref, '--anonymized', *ano[:2], '--out',
                   str(tmp_path / 'o')])
    with pytest.raises(SystemExit, match='both ran seed 0'):
        tool.main(['--reference', ref[-1], ref[-1], '--anonymized', *ano,
                   '--out', str(tmp_path / 'o')])
    with pytest.raises(SystemExit, match='eval_privacy_leakage.py'):
        tool.main(['--reference', *ref, '--anonymized', *ref, '--out',
                   str(tmp_path / 'o')])


def test_points_round_halves_up(tool):
    # 106 and 26 of 160 videos: 66.25 and 16.25 points, shown as in the docs.
    assert (tool._pt(66.25), tool._pt(16.25, True), tool._pt(-1.875, True),
            tool._pt(9.9107)) == ('66.3', '+16.3', '-1.9', '9.9')
