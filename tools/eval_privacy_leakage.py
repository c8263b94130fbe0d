"""Privacy leakage of learned anonymizers: a fresh attacker vs raw frames.

The evaluation protocol of SPAct / Aslam & Nasrollahi 2025: for each
anonymizer checkpoint, f_A is frozen and applied to the attacker's train
and test frames; a 2D frame classifier is trained from scratch on the
anonymized train frames and scored on the anonymized test frames (cMAP and
macro-F1; top-1 for a single-label attribute such as the synthetic set's
identity). The row ``raw`` is the same attacker on unmodified frames. Also
reported: ``rms_change``, the RMS of f_A(x) - x on the test frames in
[0, 1] units. Lower cMAP / F1 / top-1 = less leakage. Writes
``OUT/leakage.json`` and ``OUT/leakage.md`` and prints the table.

Example:
    python tools/eval_privacy_leakage.py --dataset synthetic \\
        --data-root data/synthetic \\
        --anonymizer-checkpoint work_dirs/minimax/epoch_20.pth \\
        --attacker probe --epochs 8 --out work_dirs/leakage
"""
import argparse
import json
import math
import os
import os.path as osp
import time
from dataclasses import replace
from functools import partial

import numpy as np
from tqdm import tqdm

DATASETS = ('synthetic', 'vispr', 'pa_hmdb51')
DEFAULT_SIZE = dict(synthetic=64, vispr=112, pa_hmdb51=112)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dataset', required=True, choices=DATASETS)
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--anonymizer-checkpoint', nargs='+', default=[],
                        metavar='CKPT', help='penalty-minimax checkpoints')
    parser.add_argument('--names', nargs='+', default=None,
                        help='row names for the checkpoints (default: '
                        'file stems)')
    parser.add_argument('--attacker', default='probe',
                        choices=('probe', 'resnet18'))
    parser.add_argument('--epochs', type=int, default=8)
    parser.add_argument('--lr', type=float, default=3e-3)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--size', type=int, default=None,
                        help='frame side (default 64 synthetic, else 112)')
    parser.add_argument('--frames-per-video', type=int, default=4)
    parser.add_argument('--max-items', type=int, default=None,
                        help='first N videos/images of each split')
    parser.add_argument('--attributes', default=None,
                        help="synthetic: identity|appearance; vispr: "
                        "vispr7|pa_hmdb51|all")
    parser.add_argument('--video-root', default=None,
                        help='pa_hmdb51: HMDB51 videos (default '
                        'DATA_ROOT/videos)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', default='work_dirs/privacy_leakage')
    args = parser.parse_args(argv)
    if not osp.isdir(args.data_root):
        parser.error(f'--data-root {args.data_root!r} is not a folder.')
    missing = [c for c in args.anonymizer_checkpoint if not osp.isfile(c)]
    if missing:
        parser.error(f'anonymizer checkpoint(s) not found: {missing}.')
    if args.names is not None and \
            len(args.names) != len(args.anonymizer_checkpoint):
        parser.error(f'--names gives {len(args.names)} names for '
                     f'{len(args.anonymizer_checkpoint)} checkpoints.')
    return args


def load_splits(args):
    """Train and test :class:`PrivacyAttributeSplit` of the dataset."""
    from mmprivact.evaluation.privacy_attribute_sets import ADAPTERS
    kwargs = dict(size=args.size or DEFAULT_SIZE[args.dataset],
                  max_items=args.max_items,
                  frames_per_video=args.frames_per_video)
    if args.attributes is not None:
        if args.dataset == 'pa_hmdb51':
            raise ValueError('--attributes does not apply to pa_hmdb51 '
                             '(always its 5 attributes).')
        kwargs['attributes'] = args.attributes
    if args.dataset == 'pa_hmdb51' and args.video_root:
        kwargs['video_root'] = args.video_root
    load = ADAPTERS[args.dataset]
    return (load(args.data_root, 'train', **kwargs),
            load(args.data_root, 'test', **kwargs))


def _clean(value):
    """NaN -> None, so the JSON is standard."""
    return None if isinstance(value, float) and math.isnan(value) else value


def evaluate_row(name, checkpoint, train, test, args):
    """Anonymize (unless raw), train the attacker, return the row."""
    from mmprivact.evaluation import PrivacyAttacker, anonymize_frames
    from mmprivact.models.anonymizers import load_trained_anonymizer
    start = time.time()
    rms = 0.0
    if checkpoint is not None:
        f_a = load_trained_anonymizer(checkpoint, device=args.device)
        run = partial(anonymize_frames, f_a=f_a, device=args.device)
        raw_test = test.frames
        train = replace(train, frames=run(train.frames))
        test = replace(test, frames=run(test.frames))
        diff = (test.frames.astype(np.float64) - raw_test) / 255.0
        rms = float(np.sqrt(np.mean(diff**2)))
    attacker = PrivacyAttacker(arch=args.attacker, epochs=args.epochs,
                               lr=args.lr, batch_size=args.batch_size,
                               seed=args.seed, device=args.device)
    res = attacker.train_and_score(train, test)
    m = res['metrics']
    return dict(
        name=name, checkpoint=checkpoint, cMAP=m['cMAP'],
        macro_F1=m['macro_F1'], top1=m.get('top1'),
        video_top1=m.get('video_top1'), chance_cMAP=m['chance_cMAP'],
        chance_top1=m.get('chance_top1'),
        per_class_AP={a: _clean(v) for a, v in
                      zip(test.attribute_names, m['per_class_AP'])},
        rms_change=rms, n_train=res['n_train'], n_test=res['n_test'],
        attacker=res['settings'], seconds=round(time.time() - start, 2))


def format_table(rows, dataset):
    """Markdown table of the rows."""
    def num(v):
        return '-' if v is None else f'{v:.3f}'

    lines = [
        f'Privacy leakage on {dataset} (fresh {rows[0]["attacker"]["arch"]} '
        f'attacker; fractions, lower = more private)', '',
        '| name | cMAP | macro-F1 | top-1 | RMS change | train / test '
        'frames | seconds |', '|---|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f'| {r["name"]} | {num(r["cMAP"])} | '
                     f'{num(r["macro_F1"])} | {num(r["top1"])} | '
                     f'{r["rms_change"]:.4f} | {r["n_train"]} / '
                     f'{r["n_test"]} | {r["seconds"]:.1f} |')
    chance = f'chance: cMAP {rows[0]["chance_cMAP"]:.3f}'
    if rows[0]['chance_top1'] is not None:
        chance += f', top-1 {rows[0]["chance_top1"]:.3f}'
    return '\n'.join(lines + ['', chance]) + '\n'


def main(argv=None):
    args = parse_args(argv)
    import mmprivact  # noqa: F401  (MMAction2 fixes and registration)
    train, test = load_splits(args)
    ckpts = args.anonymizer_checkpoint
    names = args.names or [osp.splitext(osp.basename(c))[0] for c in ckpts]
    jobs = [('raw', None)] + list(zip(names, ckpts))
    rows = [evaluate_row(name, ckpt, train, test, args)
            for name, ckpt in tqdm(jobs, desc='leakage', unit='row')]
    os.makedirs(args.out, exist_ok=True)
    report = dict(dataset=args.dataset, data_root=args.data_root,
                  attribute_names=list(test.attribute_names),
                  single_label=test.single_label, args=vars(args),
                  rows=rows)
    with open(osp.join(args.out, 'leakage.json'), 'w') as f:
        json.dump(report, f, indent=1)
    table = format_table(rows, args.dataset)
    with open(osp.join(args.out, 'leakage.md'), 'w') as f:
        f.write(table)
    print(table)
    return rows


if __name__ == '__main__':
    main()
