"""The audit tool trains tiny runs in both worlds with the real private
components, reports a finite non-negative bound with every parameter,
resumes without redoing runs, refuses to mix settings, and says plainly
what each verdict means."""
import json
import math
from pathlib import Path

import pytest

from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[3]
CONFIG = str(REPO / 'configs/maskdp/'
             'r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py')


@pytest.fixture(scope='module')
def tool():
    return load_script(REPO / 'tools' / 'analysis' / 'audit_privacy.py')


def _tiny(data_root, out, *extra):
    return [CONFIG, '--out', str(out), '--num-records', '6',
            '--expected-batch-size', '2', '--epochs', '2', '--clip-len', '2',
            '--frame-interval', '4', '--size', '16', '--cfg-options',
            f'train_dataloader.dataset.data_root={data_root}/', *extra]


def _lines(out):
    return (out / 'runs.jsonl').read_text().splitlines()


def test_tiny_maskdp_audit_reports_and_resumes(tool, tiny_synthetic,
                                               tmp_path, monkeypatch):
    out = tmp_path / 'audit'
    report = tool.main(_tiny(tiny_synthetic, out, '--runs', '8'))
    p, r = report['parameters'], report['result']
    # The mechanism that ran: calibrated sigma, the config's C, q = E / N,
    # 2 epochs x round(N / E) = 3 Poisson steps, the fast clipping path.
    assert (p['mode'], p['canary'], p['max_grad_norm']) == ('maskdp',
                                                            'sensitive', 0.1)
    assert p['sample_rate'] == pytest.approx(2 / 6) and p['steps'] == 6
    assert p['noise_multiplier'] > 0 and p['clipping'] == 'fast'
    assert 0.99 - 0.01 <= p['accountant_epsilon'] <= 1.0  # target 1
    assert p['removed_gap'] == 0.0  # WITHOUT canary == its masked view
    assert p['input_shape'] == [1, 3, 2, 16, 16]
    assert report['guarantee']['epsilon'] == p['accountant_epsilon']
    # Bound: finite, >= 0, from the odd pairs (2 per world).
    assert math.isfinite(r['epsilon_lower_bound'])
    assert 0 <= r['epsilon_lower_bound'] <= r['max_detectable_epsilon']
    assert r['evaluation']['positives'] == r['evaluation']['negatives'] == 2
    # 2 runs per world can show nothing at 95 %.
    assert r['max_detectable_epsilon'] == 0.0
    assert 'consistent with the guarantee' in report['verdict']
    saved = json.loads((out / 'audit.json').read_text())
    assert saved['result'] == json.loads(json.dumps(r))
    assert 'threshold chosen on the pairs with an even index' in (
        out / 'audit.md').read_text()
    runs = [json.loads(line) for line in _lines(out)]
    assert sorted((x['pair'], x['world']) for x in runs) == sorted(
        (i, w) for i in range(4) for w in ('with', 'without'))
    for x in runs:
        assert x['score'] == pytest.approx(x['loss_with'] - x['loss_without'])
        assert math.isfinite(x['score'])
        assert x['clipping'] == 'fast'  # no silent fallback to exact
        assert 0 <= x['canary_steps'] <= 6

    # Resume: nothing is trained again for the same runs ...
    def no_training(*args, **kwargs):
        raise AssertionError('a finished run was trained again')

    monkeypatch.setattr(tool.CanaryAudit, 'run', no_training)
    again = tool.main(_tiny(tiny_synthetic, out, '--runs', '8'))
    assert again['result'] == report['result'] and len(_lines(out)) == 8
    monkeypatch.undo()
    # ... and more runs continue the same audit.
    more = tool.main(_tiny(tiny_synthetic, out, '--runs', '12'))
    assert len(_lines(out)) == 12 and more['runs_used'] == 12
    assert more['result']['evaluation']['positives'] == 3
    # Other settings in the same folder are refused, naming them.
    with pytest.raises(ValueError, match='epochs.*another --out'):
        tool.main(_tiny(tiny_synthetic, out, '--runs', '8', '--epochs', '3'))


def test_nonsensitive_canary_is_reported_unprotected(tool, tiny_synthetic,
                                                     tmp_path):
    report = tool.main(_tiny(tiny_synthetic, tmp_path / 'ns', '--runs', '4',
                             '--canary', 'nonsensitive'))
    assert report['guarantee']['epsilon'] is None
    assert 'not protected by design' in report['verdict']
    assert report['parameters']['removed_gap'] is None


def test_dpsgd_is_compared_with_the_replacement_epsilon(tool, tiny_synthetic,
                                                        tmp_path):
    report = tool.main(_tiny(tiny_synthetic, tmp_path / 'dp', '--runs', '4',
                             '--mode', 'dpsgd'))
    g, p = report['guarantee'], report['parameters']
    assert 'replacement' in g['adjacency']
    assert g['epsilon'] > p['accountant_epsilon']  # sigma / 2 costs more


def test_verdicts(tool):
    params = dict(mode='maskdp', canary='sensitive')
    result = dict(epsilon_lower_bound=1.7, epsilon_ci=[1.5, None],
                  epsilon_point=2.5, alpha=0.05, max_detectable_epsilon=2.57)
    promised = dict(epsilon=1.0, adjacency='add/remove (sensitivity C)')
    assert 'EXCEEDS the accountant epsilon 1.000' in tool.verdict(
        result, promised, params)
    ok = dict(result, epsilon_lower_bound=0.3)
    assert 'consistent with the guarantee' in tool.verdict(ok, promised,
                                                           params)
    text = tool.verdict(result, dict(epsilon=None), dict(params,
                                                         mode='none'))
    assert text.startswith('Non-private') and '1.700' in text


@pytest.mark.parametrize('argv,needle', [
    (['--runs', '5'], '--runs'),
    (['--runs', '2'], '--runs'),
    (['--alpha', '1.5'], '--alpha'),
    (['--canary', 'face'], '--canary'),
])
def test_bad_arguments_are_named(tool, capsys, argv, needle):
    with pytest.raises(SystemExit):
        tool.main([CONFIG, *argv])
    assert needle in capsys.readouterr().err
