"""Example frames of trained penalty-minimax anonymizers, as the paper's
Figure 2: raw frames next to f_A(x) for each budget B.

    python tools/analysis/minimax_examples.py \
        --checkpoints B=0.3:work_dirs/minimax_sweep/0.3/epoch_8.pth \
                      B=0.9:work_dirs/minimax_sweep/0.9/epoch_8.pth \
        [--data data/synthetic] [--split test] [--num 4] [--size 96] \
        [--out docs/images/penalty_minimax_examples.png]

Rows are frames of the first ``--num`` videos of the split (one identity
each where possible), columns the raw frame and one column per checkpoint,
titled with its name and the RMS change of that column in grey levels.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Sequence, Tuple

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))


def parse_checkpoints(items: Sequence[str]) -> List[Tuple[str, str]]:
    """``NAME:PATH`` or ``PATH`` (named after its folder) pairs."""
    out = []
    for item in items:
        name, sep, path = item.partition(':')
        if not sep:
            name, path = osp.basename(osp.dirname(item)) or item, item
        out.append((name, path))
    return out


def pick_frames(data: str, split: str, num: int, size: int) -> np.ndarray:
    """One middle frame from each of the first ``num`` videos with distinct
    identities (uint8 RGB, ``size`` x ``size``)."""
    from mmprivact.anonymization.video_io import read_video
    list_file = osp.join(data, f'{split}_identity.txt')
    if not osp.isfile(list_file):
        raise FileNotFoundError(
            f'{list_file} not found; generate the synthetic set first '
            f'(python tools/data/generate_synthetic.py --out {data}).')
    seen, frames = set(), []
    with open(list_file) as f:
        for line in f:
            rel, ident = line.split()
            if ident in seen:
                continue
            seen.add(ident)
            video, _ = read_video(osp.join(data, rel))
            frames.append(cv2.resize(video[len(video) // 2], (size, size),
                                     interpolation=cv2.INTER_AREA))
            if len(frames) == num:
                break
    return np.stack(frames)


def grid(columns: List[Tuple[str, np.ndarray]], pad: int = 4) -> np.ndarray:
    """Titled columns of equally sized frames, as one RGB image."""
    n, h, w = columns[0][1].shape[:3]
    title_h = 18
    out = np.full((title_h + n * (h + pad), len(columns) * (w + pad), 3),
                  255, np.uint8)
    for c, (title, frames) in enumerate(columns):
        x = c * (w + pad)
        cv2.putText(out, title, (x + 2, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.35,
                    (0, 0, 0), 1, cv2.LINE_AA)
        for r, frame in enumerate(frames):
            y = title_h + r * (h + pad)
            out[y:y + h, x:x + w] = frame
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--checkpoints', nargs='+', required=True,
                        help='NAME:CHECKPOINT (or CHECKPOINT) per column')
    parser.add_argument('--data', default='data/synthetic')
    parser.add_argument('--split', default='test')
    parser.add_argument('--num', type=int, default=4)
    parser.add_argument('--size', type=int, default=96)
    parser.add_argument('--out',
                        default='work_dirs/penalty_minimax_examples.png')
    args = parser.parse_args(argv)

    import torch

    from mmprivact.models.anonymizers import load_trained_anonymizer
    raw = pick_frames(args.data, args.split, args.num, args.size)
    columns = [('raw', raw)]
    x = torch.from_numpy(raw).permute(0, 3, 1, 2).float() / 255
    for name, path in parse_checkpoints(args.checkpoints):
        f_a = load_trained_anonymizer(path)
        with torch.no_grad():
            y = f_a(x)
        out = (y.permute(0, 2, 3, 1).numpy() * 255).round().clip(
            0, 255).astype(np.uint8)
        rms = float(np.sqrt(((out.astype(float) - raw) ** 2).mean()))
        columns.append((f'{name} ({rms:.0f})', out))
    image = grid(columns)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    cv2.imwrite(args.out, cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
