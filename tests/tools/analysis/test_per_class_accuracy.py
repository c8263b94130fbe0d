"""per_class_accuracy.py reads `tools/test.py --dump` pickles, averages
per-class accuracy over each arm's dumps, reports the cost against the first
arm and the pooled confusion, and refuses bad input with a clear message."""
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.fileio import dump

from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / 'tools/analysis/per_class_accuracy.py'


@pytest.fixture(scope='module')
def tool():
    return load_script(SCRIPT, 'per_class_accuracy_tool')


def _write(path, gt, pred, num_classes=3, scalar=False):
    """A dump as DumpResults writes it: one dict of CPU tensors per video;
    ``pred_label`` deliberately wrong so the tool must use the argmax."""
    results = []
    for g, p in zip(gt, pred):
        score = torch.full((num_classes, ), 0.1)
        score[p] = 0.9
        label = torch.tensor(g) if scalar else torch.tensor([g])
        results.append(
            dict(num_classes=num_classes, pred_score=score,
                 pred_label=torch.tensor([(p + 1) % num_classes]),
                 gt_label=label))
    dump(results, str(path))
    return str(path)


# gt 0 0 0 0 | 1 1 | 2 2 ; pred 0 0 0 1 | 1 0 | 2 2
GT = [0, 0, 0, 0, 1, 1, 2, 2]
PRED = [0, 0, 0, 1, 1, 0, 2, 2]


def test_per_class_accuracy_and_confusion_by_hand(tool, tmp_path):
    gt, pred, k = tool.load_dump(_write(tmp_path / 'a.pkl', GT, PRED))
    assert k == 3
    assert pred.tolist() == PRED  # argmax, not the (wrong) pred_label
    assert tool.per_class_accuracy(gt, pred, k) == pytest.approx(
        [75.0, 50.0, 100.0])
    assert tool.top1(gt, pred) == pytest.approx(75.0)
    counts = tool.confusion(gt, pred, k)
    assert counts.tolist() == [[3, 1, 0], [1, 1, 0], [0, 0, 2]]
    assert tool.row_percent(counts)[0] == pytest.approx([75, 25, 0])
    assert tool.row_percent(counts)[1] == pytest.approx([50, 50, 0])


def test_scalar_labels_load(tool, tmp_path):
    gt, pred, _ = tool.load_dump(
        _write(tmp_path / 's.pkl', GT, PRED, scalar=True))
    assert gt.tolist() == GT


def test_mean_over_dumps_cost_sign_and_pooled_confusion(
        tool, tmp_path, capsys):
    raw = [_write(tmp_path / 'raw0.pkl', GT, GT),  # 100 100 100, top1 100
           _write(tmp_path / 'raw1.pkl', GT, PRED)]  # 75 50 100, top1 75
    ano = [_write(tmp_path / 'ano0.pkl', GT, [0, 0, 1, 1, 1, 1, 2, 0])]
    # ano: 50 100 50, top1 62.5
    out = tmp_path / 'out'
    report = tool.main(['--arm', 'raw', *raw, '--arm', 'ano', *ano,
                        '--out', str(out)])
    data = json.loads((out / 'per_class.json').read_text())
    assert data['classes'] == ['0', '1', '2']
    r, a = data['arms']
    assert [r['name'], a['name']] == ['raw', 'ano']
    assert [d['per_class'] for d in r['dumps']] == [
        pytest.approx([100, 100, 100]), pytest.approx([75, 50, 100])]
    assert r['per_class'] == pytest.approx([87.5, 75, 100])
    assert r['top1'] == pytest.approx(87.5)
    assert a['per_class'] == pytest.approx([50, 100, 50])
    # cost = first arm minus this arm: positive where ano is lower
    assert a['cost'] == pytest.approx([37.5, -25, 50])
    assert a['top1_cost'] == pytest.approx(25)
    assert 'cost' not in r
    # pooled counts over raw's two dumps
    assert r['confusion'] == [[7, 1, 0], [1, 3, 0], [0, 0, 4]]
    assert report['arms'][1]['cost'] == pytest.approx([37.5, -25, 50])
    text = capsys.readouterr().out
    assert '| 0 | 87.5 | 50.0 | +37.5 |' in text
    assert '| 1 | 75.0 | 100.0 | -25.0 |' in text
    assert '| all (top-1) | 87.5 | 62.5 | +25.0 |' in text
    assert '| 0 | 87.5 | 12.5 | 0.0 | 8 |' in text  # raw confusion row
    assert (out / 'per_class.md').read_text() == text


def test_class_names(tool, tmp_path, capsys):
    names = tmp_path / 'classes.txt'
    names.write_text('wave\nclap\njump\n')
    tool.main(['--arm', 'raw', _write(tmp_path / 'a.pkl', GT, PRED),
               '--classes', str(names)])
    assert '| clap | 50.0 |' in capsys.readouterr().out


def test_missing_class_is_undefined_not_a_crash(tool, tmp_path, capsys):
    # class 2 never in the ground truth of either dump
    p = _write(tmp_path / 'a.pkl', [0, 0, 1, 1], [0, 1, 1, 2])
    q = _write(tmp_path / 'b.pkl', [0, 0, 1, 1], [0, 0, 1, 1])
    out = tmp_path / 'out'
    tool.main(['--arm', 'raw', p, '--arm', 'ano', q, '--out', str(out)])
    text = capsys.readouterr().out
    assert '| 2 | - | - | - |' in text
    assert 'no ground-truth video of class 2' in text
    raw_json = (out / 'per_class.json').read_text()
    assert 'NaN' not in raw_json
    data = json.loads(raw_json)
    assert data['arms'][0]['per_class'][2] is None
    assert data['arms'][1]['cost'][2] is None
    assert data['arms'][0]['per_class'][:2] == pytest.approx([50, 50])
    assert data['notes']


def test_class_missing_from_one_dump_averages_the_others(tool, tmp_path):
    gt, pred, k = tool.load_dump(
        _write(tmp_path / 'a.pkl', [0, 1], [0, 1]))
    acc = tool.per_class_accuracy(gt, pred, k)
    assert math.isnan(acc[2])
    arm = tool.summarize_arm('x', ['a', 'b'],
                             [(gt, pred), (np.array([2]), np.array([0]))], k)
    assert arm['per_class'] == pytest.approx([100, 100, 0])


def _message(excinfo):
    return str(excinfo.value)


def test_missing_pkl(tool, tmp_path):
    missing = str(tmp_path / 'nope.pkl')
    with pytest.raises(SystemExit) as e:
        tool.main(['--arm', 'raw', missing])
    assert missing in _message(e) and 'tools/test.py' in _message(e)


@pytest.mark.parametrize('content', [
    {'pred_score': 1}, [], [{'pred_score': torch.ones(3)}], [1, 2],
    [{'scores': torch.ones(3), 'gt_label': torch.tensor([0])}]
])
def test_not_a_dump(tool, tmp_path, content):
    path = str(tmp_path / 'bad.pkl')
    dump(content, path)
    with pytest.raises(SystemExit) as e:
        tool.main(['--arm', 'raw', path])
    assert path in _message(e) and '--dump' in _message(e)


def test_not_a_pickle(tool, tmp_path):
    path = tmp_path / 'text.pkl'
    path.write_text('hello')
    with pytest.raises(SystemExit) as e:
        tool.main(['--arm', 'raw', str(path)])
    assert str(path) in _message(e) and '--dump' in _message(e)


def test_different_numbers_of_classes(tool, tmp_path):
    p = _write(tmp_path / 'three.pkl', GT, PRED)
    q = _write(tmp_path / 'four.pkl', GT, PRED, num_classes=4)
    with pytest.raises(SystemExit) as e:
        tool.main(['--arm', 'raw', p, '--arm', 'ano', q])
    assert q in _message(e) and '4 classes' in _message(e)


def test_classes_file_wrong_length(tool, tmp_path):
    names = tmp_path / 'classes.txt'
    names.write_text('wave\nclap\n')
    with pytest.raises(SystemExit) as e:
        tool.main(['--arm', 'raw', _write(tmp_path / 'a.pkl', GT, PRED),
                   '--classes', str(names)])
    assert str(names) in _message(e) and '2 names' in _message(e)


def test_arm_without_pkl_or_twice(tool, tmp_path):
    p = _write(tmp_path / 'a.pkl', GT, PRED)
    with pytest.raises(SystemExit) as e:
        tool.main(['--arm', 'raw', p, '--arm', 'ano'])
    assert '--arm ano' in _message(e)
    with pytest.raises(SystemExit) as e:
        tool.main(['--arm', 'raw', p, '--arm', 'raw', p])
    assert 'twice' in _message(e)
