"""Plot privacy benchmarks: seconds/iter and peak memory vs batch and clip.

Reads JSON files written by ``tools/analysis/benchmark_privacy.py --out``
(runs at different batch sizes and clip lengths, same config and device)
and draws a 2x2 figure: seconds per iteration and peak step memory against
the batch size (at the clip length with the most batch sizes), and against
the clip length (at the batch size with the most clip lengths), one line
per mode. Runs measured with ``--no-memory`` leave the memory panels empty.

Example (see benchmark_privacy.py for the series)::

    python tools/analysis/plot_privacy_benchmark.py \\
        work_dirs/privacy_benchmark/*.json \\
        --out work_dirs/privacy_benchmark/privacy_benchmark.png
"""
import argparse
import json
import os
import os.path as osp
from collections import Counter, defaultdict

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

REQUIRED = ('results', 'batch_size', 'clip_len')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('jsons', nargs='+',
                        help='outputs of benchmark_privacy.py --out')
    parser.add_argument('--out', required=True, help='PNG to write')
    return parser.parse_args(argv)


def load_runs(paths: list) -> list:
    runs = []
    for path in paths:
        with open(path) as f:
            run = json.load(f)
        missing = [k for k in REQUIRED if k not in run]
        if missing:
            raise ValueError(
                f'{path} lacks {missing}: not an output of '
                'benchmark_privacy.py --out. Pass only its JSON files.')
        runs.append(run)
    return runs


def _series(runs: list, x_key: str, fixed_key: str) -> tuple:
    """Runs sharing the ``fixed_key`` value that has most ``x_key`` values;
    returns (fixed value, {mode: {x: (sec, mem)}})."""
    distinct = defaultdict(set)
    for run in runs:
        distinct[run[fixed_key]].add(run[x_key])
    fixed = max(distinct, key=lambda v: (len(distinct[v]),
                                         Counter(r[fixed_key]
                                                 for r in runs)[v]))
    points = defaultdict(lambda: defaultdict(list))
    for run in runs:
        if run[fixed_key] != fixed:
            continue
        for mode, row in run['results'].items():
            points[mode][run[x_key]].append(
                (row['sec_per_iter'], row.get('peak_mem_mb')))
    merged = {}
    for mode, by_x in points.items():
        merged[mode] = {}
        for x, values in by_x.items():  # repeated runs: their mean
            secs = [v[0] for v in values]
            mems = [v[1] for v in values if v[1] is not None]
            merged[mode][x] = (sum(secs) / len(secs),
                               sum(mems) / len(mems) if mems else None)
    return fixed, merged


def plot(runs: list, out: str) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    panels = (('batch_size', 'clip_len', 'batch size (videos)', 'clip len'),
              ('clip_len', 'batch_size', 'clip length (frames)', 'batch'))
    for col, (x_key, fixed_key, xlabel, fixed_name) in enumerate(panels):
        fixed, series = _series(runs, x_key, fixed_key)
        ticks = sorted({x for by_x in series.values() for x in by_x})
        for mode, by_x in series.items():
            xs = sorted(by_x)
            axes[0, col].plot(xs, [by_x[x][0] for x in xs], marker='o',
                              label=mode)
            mem = [(x, by_x[x][1]) for x in xs if by_x[x][1] is not None]
            if mem:
                axes[1, col].plot([m[0] for m in mem], [m[1] for m in mem],
                                  marker='o', label=mode)
        for row, ylabel in enumerate(('seconds / iteration (median)',
                                      'peak step memory (MiB)')):
            ax = axes[row, col]
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.set_title(f'{ylabel.split(" (")[0]} at {fixed_name} {fixed}')
            ax.grid(alpha=0.3)
            if len(ticks) > 1 and ticks[0] > 0:  # doubling series
                ax.set_xscale('log', base=2)
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.minorticks_off()
            if ax.lines:
                ax.legend(fontsize=8)
            else:
                ax.text(0.5, 0.5, 'no data', ha='center', va='center',
                        transform=ax.transAxes)
    first = runs[0]
    fig.suptitle(f'{osp.basename(str(first.get("config", "")))} on '
                 f'{first.get("device", "?")} (torch {first.get("torch")})',
                 fontsize=10)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv=None) -> str:
    args = parse_args(argv)
    plot(load_runs(args.jsons), args.out)
    print(f'Wrote {args.out}')
    return args.out


if __name__ == '__main__':
    main()
