"""How well can identity be read off raw frames of the synthetic benchmark?

Trains a small frame classifier (mmprivact.evaluation.FrameAttributeProbe)
on frames of the training videos, labelled with their identity, and reports
frame- and video-level top-1 on the test videos, plus chance level.

Example:
    python tools/analysis/identity_probe.py --data data/synthetic \
        --out work_dirs/identity_probe.json
"""
import argparse
import json
import os
import os.path as osp
import time

from mmprivact.evaluation import load_labelled_frames, train_attribute_probe


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default='data/synthetic')
    parser.add_argument('--frames-per-video', type=int, default=4)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--epochs', type=int, default=8)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default='work_dirs/identity_probe.json')
    args = parser.parse_args()

    start = time.time()
    splits = {
        split: load_labelled_frames(
            osp.join(args.data, f'{split}_identity.txt'), args.data,
            args.frames_per_video, args.size)
        for split in ('train', 'test')
    }
    with open(osp.join(args.data, 'identities.txt')) as f:
        num_classes = len(f.read().split())
    result = train_attribute_probe(splits['train'], splits['test'],
                                   num_classes, epochs=args.epochs,
                                   seed=args.seed)
    result.update(attribute='identity', num_classes=num_classes,
                  minutes=round((time.time() - start) / 60, 2),
                  args=vars(args))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)
    print(f'identity from raw frames: frame top-1 {result["frame_top1"]:.4f}, '
          f'video top-1 {result["video_top1"]:.4f} (chance '
          f'{result["chance"]:.4f}, {num_classes} identities); '
          f'{result["minutes"]} min; written to {args.out}')


if __name__ == '__main__':
    main()
