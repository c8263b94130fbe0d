"""Privacy-utility sweep: MaskDP vs DP-SGD vs non-private over epsilon.

Trains every (mode, epsilon) of the grid with ``tools/train.py`` on the
synthetic benchmark's MaskDP configs, tests each final checkpoint on the full
test videos and, with ``mask_at_test``, on their masked views, and writes a
Markdown table, a JSON file and a plot. Finished runs are kept: a second
invocation skips them (per-run status in ``results.json``), so an
interrupted sweep continues where it stopped.

Example (the numbers in docs/maskdp.md; about 8 min per run on 2 cores):
    python tools/analysis/maskdp_sweep.py --eps 0.5 1 2 8 \\
        --out work_dirs/maskdp_sweep --plot docs/images/maskdp_sweep.png
"""
import argparse
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(REPO, 'configs', 'maskdp')
CONFIGS = {
    'maskdp': 'r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py',
    'dpsgd': 'r3d_r18-w8-gn_dpsgd-eps1-c1_1xb16-8x4x1-20e_synthetic.py',
    'none': 'r3d_r18-w8-gn_nonprivate_1xb16-8x4x1-20e_synthetic.py',
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--eps', type=float, nargs='+',
                        default=[0.5, 1.0, 2.0, 8.0])
    parser.add_argument('--modes', nargs='+', default=['none', 'dpsgd',
                                                       'maskdp'],
                        choices=sorted(CONFIGS))
    parser.add_argument('--data', default='data/synthetic')
    parser.add_argument('--out', default='work_dirs/maskdp_sweep')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--plot', default=None,
                        help='also save the plot here (e.g. docs/images/)')
    parser.add_argument('--cfg-options', nargs='*', default=[],
                        help='extra key=value overrides for every run')
    return parser.parse_args(argv)


def _run(cmd):
    res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    out = res.stdout + res.stderr
    if res.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{out[-3000:]}')
    return out


def _top1(out):
    found = re.findall(r'acc/top1: ([0-9.]+)', out)
    if not found:
        raise RuntimeError('No acc/top1 in the test output.')
    return float(found[-1])


def run_one(mode, eps, args):
    """Train and test one grid point; return its result row."""
    name = f'{mode}' if mode == 'none' else f'{mode}_eps{eps:g}'
    work = osp.join(args.out, name)
    config = osp.join(CONFIG_DIR, CONFIGS[mode])
    opts = [f'{s}_dataloader.dataset.data_root={args.data}'
            for s in ('train', 'val', 'test')]
    opts += [f'randomness.seed={args.seed}'] + list(args.cfg_options)
    if mode != 'none':
        opts.append(f'custom_hooks.0.target_epsilon={eps}')
    start = time.time()
    _run([sys.executable, 'tools/train.py', config, '--work-dir', work,
          '--resume', '--cfg-options', *opts])
    minutes = (time.time() - start) / 60
    with open(osp.join(work, 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    row = dict(mode=mode, target_epsilon=None if mode == 'none' else eps,
               train_minutes=round(minutes, 1), checkpoint=ckpt)
    for key, masked in (('top1_full', False), ('top1_masked', True)):
        out = _run([
            sys.executable, 'tools/test.py', config, ckpt, '--work-dir',
            osp.join(work, 'test_masked' if masked else 'test_full'),
            '--cfg-options', *opts,
            f'model.data_preprocessor.mask_at_test={masked}'
        ])
        row[key] = _top1(out)
    with open(osp.join(work, 'privacy.json')) as f:
        privacy = json.load(f)
    row.update(epsilon=privacy['epsilon'], steps=privacy['steps'],
               noise_multiplier=privacy['noise_multiplier'],
               max_grad_norm=privacy['max_grad_norm'], fill=privacy['fill'])
    return row


def table(rows):
    lines = ['| mode | target eps | eps spent | sigma | C | top-1 full '
             '| top-1 masked view |', '|---|---|---|---|---|---|---|']
    for r in sorted(rows, key=lambda r: (r['mode'],
                                         r['target_epsilon'] or 1e9)):
        def fmt(v, spec):
            return '-' if v is None else format(v, spec)
        lines.append(
            f"| {r['mode']} | {fmt(r['target_epsilon'], 'g')} | "
            f"{fmt(r['epsilon'], '.3f')} | {fmt(r['noise_multiplier'], '.3f')}"
            f" | {fmt(r['max_grad_norm'], 'g')} | {100 * r['top1_full']:.1f}"
            f" | {100 * r['top1_masked']:.1f} |")
    return '\n'.join(lines)


def plot(rows, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    styles = dict(maskdp='o-', dpsgd='s-')
    for mode in ('maskdp', 'dpsgd'):
        pts = sorted((r['target_epsilon'], r) for r in rows
                     if r['mode'] == mode)
        if not pts:
            continue
        eps = [p[0] for p in pts]
        ax.plot(eps, [100 * p[1]['top1_full'] for p in pts], styles[mode],
                label=f'{mode}, full test videos')
        if mode == 'maskdp':
            ax.plot(eps, [100 * p[1]['top1_masked'] for p in pts], 'o--',
                    label='maskdp, masked test view')
    for r in rows:
        if r['mode'] == 'none':
            ax.axhline(100 * r['top1_full'], color='grey', ls=':',
                       label='non-private')
    ax.axhline(100 / 8, color='lightgrey', ls='-', lw=0.8, label='chance')
    ax.set_xscale('log', base=2)
    ax.set_xlabel('epsilon (delta = 1e-5)')
    ax.set_ylabel('test top-1 (%)')
    ax.set_ylim(0, 100)
    ax.set_title('Synthetic benchmark: privacy vs utility')
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    results_path = osp.join(args.out, 'results.json')
    rows = []
    if osp.exists(results_path):
        with open(results_path) as f:
            rows = json.load(f)
    done = {(r['mode'], r['target_epsilon']) for r in rows}
    grid = [(m, None if m == 'none' else e) for m in args.modes
            for e in (args.eps if m != 'none' else [None])]
    for i, (mode, eps) in enumerate(grid, 1):
        if (mode, eps) in done:
            print(f'[{i}/{len(grid)}] {mode} eps={eps}: done before')
            continue
        print(f'[{i}/{len(grid)}] {mode} eps={eps}: training ...',
              flush=True)
        try:
            row = run_one(mode, eps if eps is not None else 0.0, args)
        except RuntimeError as err:  # report and go on with the others
            print(f'[{i}/{len(grid)}] {mode} eps={eps}: FAILED\n{err}')
            continue
        row['target_epsilon'] = eps
        rows.append(row)
        with open(results_path, 'w') as f:
            json.dump(rows, f, indent=1)
        print(f"[{i}/{len(grid)}] {mode} eps={eps}: top-1 full "
              f"{row['top1_full']:.3f}, masked {row['top1_masked']:.3f} "
              f"({row['train_minutes']} min)", flush=True)
    md = table(rows)
    with open(osp.join(args.out, 'results.md'), 'w') as f:
        f.write(md + '\n')
    print(md)
    for path in filter(None, [osp.join(args.out, 'maskdp_sweep.png'),
                              args.plot]):
        plot(rows, path)
    return rows


if __name__ == '__main__':
    main()
