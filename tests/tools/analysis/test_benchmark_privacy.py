"""The privacy benchmark times every mode interleaved on one fixed batch,
reports finite numbers with ratios to the non-private step, measures memory
per mode in a child process on CPU, rejects bad input by name, and its
plotting tool draws several runs."""
import argparse
import json
import math
from pathlib import Path

import pytest

from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[3]
CONFIG = str(REPO / 'configs/maskdp/'
             'r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py')
X3D = str(REPO / 'configs/nonprivate/'
          'x3d_s_nonprivate_8xb16-13x6x1-100e_ntu60-xsub-rgb.py')
TINY = ['--batch-size', '2', '--iters', '2', '--warmup', '1', '--clip-len',
        '4', '--size', '32', '--device', 'cpu']


def _load(name):
    return load_script(REPO / 'tools' / 'analysis' / f'{name}.py', name)


@pytest.fixture(scope='module')
def bench():
    return _load('benchmark_privacy')


@pytest.fixture(scope='module')
def plotter():
    return _load('plot_privacy_benchmark')


def _check_report(report, modes, memory):
    assert list(report['results']) == modes
    assert set(report['ratios']) == set(modes)
    for key in ('config', 'batch_size', 'clip_len', 'device', 'torch',
                'date'):
        assert key in report
    assert (report['batch_size'], report['clip_len'], report['device']) == (
        2, 4, 'cpu')
    for mode in modes:
        row, ratio = report['results'][mode], report['ratios'][mode]
        assert math.isfinite(row['sec_per_iter']) and row['sec_per_iter'] > 0
        assert len(row['sec_all']) == 2
        assert row['sec_min'] <= row['sec_per_iter'] <= row['sec_max']
        assert math.isfinite(ratio['time']) and ratio['time'] > 0
        if memory:
            assert math.isfinite(row['peak_mem_mb'])
            assert row['peak_mem_mb'] > 0
            assert row['peak_mem_abs_mb'] > row['peak_mem_mb']
            assert ratio['memory'] > 0
        else:
            assert row['peak_mem_mb'] is None and ratio['memory'] is None
    assert report['ratios']['none']['time'] == 1.0
    if memory:
        assert report['ratios']['none']['memory'] == 1.0


def test_all_modes_interleaved_no_memory(bench, tmp_path, capsys):
    out = tmp_path / 'bench.json'
    report = bench.main([CONFIG, *TINY, '--no-memory', '--out', str(out)])
    modes = ['none', 'dpsgd', 'maskdp', 'dpsgd_exact', 'maskdp_exact',
             'opacus']
    _check_report(report, modes, memory=False)
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    assert report['results']['opacus']['clipping'] == 'opacus'
    # The fast modes ran fast (no silent fallback), the exact ones exact.
    for mode in ('dpsgd', 'maskdp'):
        assert report['results'][mode]['clipping'] == 'fast'
        assert report['results'][mode + '_exact']['clipping'] == 'exact'
    assert report['results']['none']['max_grad_norm'] is None
    # Opacus clips at the private modes' C (the config's 0.1).
    assert report['results']['opacus']['max_grad_norm'] == 0.1
    table = capsys.readouterr().out
    assert all(f'\n{m} ' in table for m in modes)


@pytest.mark.slow
def test_cpu_memory_per_mode_in_child(bench, tmp_path):
    report = bench.main([CONFIG, *TINY, '--modes', 'none,dpsgd', '--out',
                         str(tmp_path / 'mem.json')])
    _check_report(report, ['none', 'dpsgd'], memory=True)
    assert report['memory'] == bench.MEMORY_HELP


def test_rounds_rotate_and_warmup_is_untimed(bench):
    calls = []

    class Fake:
        def __init__(self, name):
            self.name = name

        def step(self):
            calls.append(self.name)

    modes = ['a', 'b', 'c']
    args = argparse.Namespace(device='cpu', warmup=2, iters=4)
    times, memory = bench.run_interleaved({m: Fake(m) for m in modes}, args)
    assert memory is None
    assert all(len(times[m]) == 4 for m in modes)
    rounds = [calls[i:i + 3] for i in range(0, len(calls), 3)]
    assert len(rounds) == 6 and all(sorted(r) == modes for r in rounds)
    assert {r[0] for r in rounds} == set(modes)  # no mode always first


def test_input_spec_and_batch_follow_the_pipeline(bench):
    args = bench.parse_args([CONFIG])
    cfg = bench.load_config(args)
    spec = bench.input_spec(cfg, args)
    assert (spec['num_clips'], spec['clip_len'], spec['height'],
            spec['width'], spec['num_classes']) == (1, 8, 64, 64, 8)
    assert args.batch_size == 16  # the config's train batch size
    x3d_args = bench.parse_args([X3D, '--clip-len', '5'])
    spec = bench.input_spec(bench.load_config(x3d_args), x3d_args)
    assert (spec['clip_len'], spec['height'], spec['num_classes']) == (5, 160,
                                                                       60)
    spec = dict(spec, height=12, width=10)
    batch = bench.make_batch(spec, 3, seed=0)
    again = bench.make_batch(spec, 3, seed=0)
    assert batch['inputs'][0].shape == (1, 3, 5, 12, 10)
    assert batch['inputs'][0].dtype.is_floating_point is False
    mask = batch['data_samples'][0].metainfo['privacy_mask']
    assert mask.shape == (1, 5, 12, 10) and mask[0, 0, 6, 5]
    assert not mask[0, 0, 0, 0] and 0 < mask.mean() < 1
    assert all((a == b).all() for a, b in zip(batch['inputs'],
                                              again['inputs']))


def test_batchnorm_model_is_refused_for_private_modes(bench):
    match = r"mode 'dpsgd'.*BatchNorm.*GroupNorm.*convert_batchnorm=True"
    with pytest.raises(ValueError, match=match):
        bench.main([X3D, *TINY, '--modes', 'dpsgd', '--no-memory'])


@pytest.mark.parametrize('argv,needle', [
    (['--modes', 'none,dpsgdd'], "'dpsgdd'"),
    (['--batch-size', '0'], '--batch-size'),
    (['--iters', '0'], '--iters'),
])
def test_bad_arguments_are_named(bench, capsys, argv, needle):
    with pytest.raises(SystemExit):
        bench.main([CONFIG, *argv])
    assert needle in capsys.readouterr().err


def _fake_run(batch, clip, scale):
    results = {m: dict(sec_per_iter=scale * k * batch * clip / 100,
                       peak_mem_mb=10.0 * k * batch)
               for k, m in enumerate(['none', 'dpsgd', 'maskdp'], 1)}
    return dict(results=results, batch_size=batch, clip_len=clip,
                config='x.py', device='cpu', torch='2')


def test_plot_writes_png(plotter, tmp_path):
    paths = []
    for batch, clip in [(16, 8), (32, 8), (16, 4)]:
        path = tmp_path / f'b{batch}_t{clip}.json'
        path.write_text(json.dumps(_fake_run(batch, clip, 1.0)))
        paths.append(str(path))
    out = tmp_path / 'plots' / 'bench.png'
    assert plotter.main([*paths, '--out', str(out)]) == str(out)
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    fixed, series = plotter._series(plotter.load_runs(paths), 'batch_size',
                                    'clip_len')
    assert fixed == 8 and sorted(series['maskdp']) == [16, 32]
    bad = tmp_path / 'bad.json'
    bad.write_text('{"results": {}}')
    with pytest.raises(ValueError, match='batch_size'):
        plotter.main([str(bad), '--out', str(out)])
