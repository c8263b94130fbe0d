"""Run results are read from work dirs as the tools leave them, and a
missing piece is reported with the command that makes it."""
import json

import pytest

from mmprivact.evaluation.run_results import (read_leakage, read_run_result,
                                              read_run_seed, read_test_metric)
from .run_dirs import make_run


def test_reads_seed_test_metric_and_leakage(tmp_path):
    run = make_run(tmp_path / 'r', seed=4, top1=0.5625, identity=0.25)
    assert read_run_result(run, leakage_subdir='leakage_identity') == dict(
        seed=4, metric=0.5625, leakage_raw=0.98, leakage=0.25)
    assert read_run_result(run) == dict(seed=4, metric=0.5625)


def test_newest_test_result_wins_and_training_logs_are_ignored(tmp_path):
    run = make_run(tmp_path / 'r', seed=0, top1=0.5)
    (run / '20261206_090000').mkdir()
    (run / '20261206_090000' / '20261206_090000.json').write_text(
        json.dumps({'acc/top1': 0.75}))
    assert read_test_metric(run) == 0.75


def test_missing_pieces_name_the_directory_and_the_fix(tmp_path):
    run = make_run(tmp_path / 'r', seed=None, top1=0.5)
    with pytest.raises(ValueError, match='randomness.seed=S'):
        read_run_seed(run)
    with pytest.raises(FileNotFoundError, match='tools/train.py dumps'):
        read_run_seed(tmp_path)
    with pytest.raises(FileNotFoundError, match='run tools/test.py'):
        read_test_metric(run, 'acc/mean1')
    with pytest.raises(FileNotFoundError, match='eval_privacy_leakage.py'):
        read_leakage(run, 'leakage_identity')


def test_several_anonymizers_in_one_leakage_file(tmp_path):
    run = make_run(tmp_path / 'r', seed=0, top1=0.5, identity=0.25)
    path = run / 'leakage_identity' / 'leakage.json'
    data = json.loads(path.read_text())
    data['rows'].append(dict(name='other', top1=0.5,
                             checkpoint=str(tmp_path / 'o' / 'epoch_8.pth')))
    path.write_text(json.dumps(data))
    assert read_leakage(run, 'leakage_identity')['anonymized'] == 0.25
    data['rows'] = data['rows'][:1] + data['rows'][2:]
    path.write_text(json.dumps(data))
    data['rows'].append(dict(name='again', top1=0.5,
                             checkpoint=str(tmp_path / 'o' / 'epoch_7.pth')))
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match='one raw row and one row'):
        read_leakage(run, 'leakage_identity')
