"""The report on a small fake results set: files, tables, statistics."""
import base64
import statistics

import pytest

from mmprivact.evaluation.sweep import SweepReport, SweepResults, mean_std

CLASSES = ['wave', 'clap', 'jump']
COUNTS = [2, 5, 3]  # training videos: clap, jump, wave by frequency


def _row(method, seed, eps, top1, per_class, masked=None, **extra):
    private = eps is not None
    row = dict(run=f'{method}_' + (f'eps{eps:g}_' if private else '') +
               f'seed{seed}', method=method, kind='recognizer',
               private=private, seed=seed, target_epsilon=eps,
               status='done', top1=top1, top1_masked_view=masked,
               per_class_top1=dict(zip(CLASSES, per_class)),
               epsilon=None if not private else round(eps * 0.995, 4),
               delta=1e-5 if private else None,
               accountant='rdp' if private else None,
               noise_multiplier=3.469 if private else None,
               max_grad_norm=0.1 if private else None,
               sample_rate=1 / 30, expected_batch_size=16.0,
               steps=600 if private else None, dataset_size=480,
               fill='public_texture(seed=0)' if method == 'maskdp' else None,
               train_minutes=8.0)
    row.update(extra)
    return row


@pytest.fixture
def results():
    rows = [
        _row('nonprivate', 0, None, 0.50, [0.5, 0.5, 0.5]),
        _row('nonprivate', 1, None, 0.60, [0.7, 0.5, 0.6]),
        _row('nonprivate', 2, None, 0.70, [0.6, 0.8, 0.7]),
        _row('maskdp', 0, 1.0, 0.40, [0.3, 0.4, 0.5], masked=0.45),
        _row('maskdp', 1, 1.0, 0.50, [0.5, 0.5, 0.5], masked=0.55),
        _row('maskdp', 2, 1.0, 0.90, [0.9, 0.9, 0.9], masked=0.65),
        _row('maskdp', 0, 8.0, 0.55, [0.5, 0.6, 0.55], masked=0.6),
        _row('dpsgd', 0, 1.0, 0.125, [0.0, 0.375, 0.0]),
        dict(_row('dpsgd', 1, 1.0, None, [None] * 3), status='failed',
             error='Traceback ...\nRuntimeError: out of memory',
             epsilon=None),
    ]
    methods = [
        dict(name='nonprivate', private=False, kind='recognizer',
             mode='none'),
        dict(name='dpsgd', private=True, kind='recognizer', mode='dpsgd'),
        dict(name='maskdp', private=True, kind='recognizer', mode='maskdp',
             test_masked_view=True),
    ]
    meta = dict(
        sweep=dict(sweep_config='/x/sweep.py', data_root='/d', seeds=[0, 1,
                                                                     2],
                   epsilons=[1.0, 8.0], reference='nonprivate',
                   example_videos=0, methods=methods),
        datasets={'/d': dict(data_root='/d', class_names=CLASSES,
                             train_class_counts=COUNTS)},
        skipped={'avatar_maskdp': 'data root /a not found'})
    return SweepResults(rows, meta)


def test_mean_std_is_the_sample_std():
    values = [0.4, 0.5, 0.9]
    mean, std = mean_std(values)
    assert mean == pytest.approx(statistics.mean(values))
    assert std == pytest.approx(statistics.stdev(values))
    assert mean_std([0.3]) == (0.3, None)


def test_report_files_and_numbers(results, tmp_path):
    report = SweepReport(results, str(tmp_path)).build()
    for name in ('report.md', 'report.html', 'top1_vs_epsilon.png',
                 'per_class_change.png'):
        assert (tmp_path / name).stat().st_size > 0, name
    md = (tmp_path / 'report.md').read_text()

    # (a) mean ± sample std over seeds, in percent, per epsilon.
    m = statistics.mean([40, 50, 90])
    s = statistics.stdev([40, 50, 90])
    n = statistics.stdev([50, 60, 70])
    assert (f'| maskdp | full | {m:.1f} ± {s:.1f} % (n=3) | 55.0 % | - |'
            in md)
    assert (f'| maskdp | masked view | 55.0 ± 10.0 % (n=3) | 60.0 % | - |'
            in md)
    assert f'| nonprivate | full | - | - | 60.0 ± {n:.1f} % (n=3) |' in md
    # The failed dpsgd seed is left out of the mean: one seed, no std.
    assert '| dpsgd | full | 12.5 % | - | - |' in md

    # (b) per-class change against nonprivate at epsilon 1, classes by
    # training frequency (clap 5, jump 3, wave 2).
    section = md.split('### epsilon 1\n')[1].split('###')[0]
    lines = [line for line in section.splitlines() if line.startswith('| ')
             and not line.startswith('| class')]
    assert [line.split(' | ')[0][2:] for line in lines] == ['clap', 'jump',
                                                            'wave']
    ref_clap = statistics.mean([0.5, 0.5, 0.8])
    mask_clap = statistics.mean([0.4, 0.5, 0.9])
    dpsgd_clap = 0.375
    assert lines[0] == (
        f'| clap | 5 | {100 * ref_clap:.1f} | '
        f'{100 * (mask_clap - ref_clap):+.1f} | '
        f'{100 * (dpsgd_clap - ref_clap):+.1f} |')
    assert '| maskdp change (pp) | dpsgd change (pp) |' in section

    # (d) every run's exact privacy parameters, failures included.
    assert ('| maskdp_eps8_seed0 | done | 0 | 8 | 7.9600 | 1e-05 | rdp | '
            '3.4690 | 0.1 | 0.03333 | 16 | 600 | 480 | '
            'public_texture(seed=0) | 55.0 | 60.0 | 8.0 |') in md
    assert '| dpsgd_eps1_seed1 | failed |' in md
    assert 'RuntimeError: out of memory' in md
    assert '`avatar_maskdp` skipped: data root /a not found' in md

    # The summary says it in words.
    summary = report['summary']
    assert summary.startswith(
        f'At epsilon 1, maskdp keeps {m:.1f} ± {s:.1f} % (n=3) top-1 '
        f'(non-private nonprivate: 60.0 ± {n:.1f} % (n=3)), dpsgd 12.5 %')
    assert '8 runs done, 1 failed (dpsgd_eps1_seed1)' in summary
    assert 'Chance is 33.3 %.' in summary

    # HTML stands alone: the plots are embedded.
    html = (tmp_path / 'report.html').read_text()
    png = base64.b64encode((tmp_path / 'top1_vs_epsilon.png').read_bytes())
    assert png.decode('ascii') in html
    assert '<table>' in html and '±' in html
    assert 'switched off' in md  # example_videos=0


def test_report_only_from_saved_results(results, tmp_path):
    results.save(str(tmp_path))
    again = SweepResults.load(str(tmp_path))
    report = SweepReport(again, str(tmp_path)).build(examples=False)
    direct = SweepReport(results, str(tmp_path / 'direct')).build(
        examples=False)
    assert report['summary'] == direct['summary']
    with pytest.raises(FileNotFoundError, match='run the sweep first'):
        SweepResults.load(str(tmp_path / 'nothing'))
