"""Generate the embedded synthetic benchmark (MMAction2 VideoDataset).

Example:
    python tools/data/generate_synthetic.py --out data/synthetic
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__),
                                                '..', '..')))

from mmprivact.datasets.synthetic import generate_synthetic_dataset  # noqa


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/synthetic',
                        help='output folder (default: data/synthetic)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, default=96,
                        help='frame height and width in pixels')
    parser.add_argument('--num-frames', type=int, default=32)
    parser.add_argument('--fps', type=int, default=16)
    parser.add_argument('--train-per-combo', type=int, default=6,
                        help='training videos per (action, identity)')
    parser.add_argument('--val-per-combo', type=int, default=1)
    parser.add_argument('--test-per-combo', type=int, default=2)
    parser.add_argument('--num-identities', type=int, default=10)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a dataset generated with other args')
    parser.add_argument('--no-progress', action='store_true')
    return parser.parse_args()


def main():
    args = parse_args()
    summary = generate_synthetic_dataset(
        args.out, seed=args.seed, size=args.size, num_frames=args.num_frames,
        fps=args.fps, train_per_combo=args.train_per_combo,
        val_per_combo=args.val_per_combo,
        test_per_combo=args.test_per_combo,
        num_identities=args.num_identities, workers=args.workers,
        progress=not args.no_progress, overwrite=args.overwrite)
    print(json.dumps(summary))


if __name__ == '__main__':
    main()
