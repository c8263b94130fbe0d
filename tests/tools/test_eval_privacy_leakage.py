"""The leakage tool end to end on the tiny synthetic set."""
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from mmprivact.models.anonymizers import UNetAnonymizer
from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[2]
TINY_UNET = dict(encoder='conv', encoder_channels=(8, 8, 8, 8, 8),
                 decoder='unet', decoder_channels=(8, 8, 8, 8, 8))


def _load():
    return load_script(REPO / 'tools' / 'eval_privacy_leakage.py')


def _checkpoint(path):
    torch.manual_seed(0)
    model = UNetAnonymizer(**TINY_UNET)
    cfg = Config(dict(model=dict(type='PenaltyMinimaxRecognizer',
                                 anonymizer=dict(type='UNetAnonymizer',
                                                 **TINY_UNET))))
    torch.save(dict(state_dict={'anonymizer.' + k: v
                                for k, v in model.state_dict().items()},
                    meta=dict(cfg=cfg.pretty_text)), path)
    return str(path)


def test_tool_writes_json_and_table(tiny_synthetic, tmp_path, capsys):
    ckpt = _checkpoint(tmp_path / 'epoch_1.pth')
    out = tmp_path / 'out'
    rows = _load().main([
        '--dataset', 'synthetic', '--data-root', str(tiny_synthetic),
        '--anonymizer-checkpoint', ckpt, '--names', 'minimax',
        '--attacker', 'probe', '--epochs', '2', '--size', '32',
        '--frames-per-video', '2', '--out', str(out)
    ])
    report = json.loads((out / 'leakage.json').read_text())
    assert report['rows'] == json.loads(json.dumps(rows))
    assert [r['name'] for r in rows] == ['raw', 'minimax']
    assert report['single_label'] and report['dataset'] == 'synthetic'
    n_test = 2 * len((tiny_synthetic / 'test_identity.txt').read_text()
                     .splitlines())
    for row in rows:
        for key in ('cMAP', 'macro_F1', 'top1', 'chance_cMAP'):
            assert 0.0 <= row[key] <= 1.0, key
        assert row['n_test'] == n_test and row['n_train'] > 0
        assert set(row['per_class_AP']) == set(report['attribute_names'])
        assert row['attacker']['arch'] == 'probe'
        assert row['attacker']['epochs'] == 2 and row['seconds'] > 0
    assert rows[0]['checkpoint'] is None and rows[0]['rms_change'] == 0.0
    # A random f_A changes the frames a lot (sigmoid output around 0.5).
    assert rows[1]['checkpoint'] == ckpt and rows[1]['rms_change'] > 0.05
    table = (out / 'leakage.md').read_text()
    assert table.count('| raw |') == 1 and table.count('| minimax |') == 1
    assert 'chance: cMAP' in table
    assert '| minimax |' in capsys.readouterr().out


def test_tool_names_missing_inputs(tmp_path, capsys):
    tool = _load()
    with pytest.raises(SystemExit):
        tool.main(['--dataset', 'synthetic', '--data-root',
                   str(tmp_path / 'nope')])
    assert 'nope' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main(['--dataset', 'vispr', '--data-root', str(tmp_path),
                   '--anonymizer-checkpoint', str(tmp_path / 'x.pth')])
    assert 'x.pth' in capsys.readouterr().err
