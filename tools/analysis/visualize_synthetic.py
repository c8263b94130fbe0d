"""Contact sheet of the synthetic benchmark: one video per action, with its
person mask and 2D joints drawn on every other row.

Example:
    python tools/analysis/visualize_synthetic.py --data data/synthetic \
        --out docs/images/synthetic_examples.png
"""
import argparse
import json
import os
import os.path as osp

import cv2
import decord
import numpy as np

from mmprivact.datasets.synthetic import BONES, JOINT_NAMES


def overlay(frame: np.ndarray, mask: np.ndarray, joints: np.ndarray,
            scale: int) -> np.ndarray:
    """Frame with the mask tinted and the skeleton drawn, upscaled."""
    big = cv2.resize(frame, None, fx=scale, fy=scale,
                     interpolation=cv2.INTER_NEAREST)
    tint = cv2.resize(mask.astype(np.uint8), None, fx=scale, fy=scale,
                      interpolation=cv2.INTER_NEAREST).astype(bool)
    big[tint] = (0.5 * big[tint] + 0.5 * np.array([0, 255, 0])).astype(
        np.uint8)
    pts = (joints * scale + scale / 2).astype(int)
    index = {name: i for i, name in enumerate(JOINT_NAMES)}
    for a, b in BONES:
        cv2.line(big, tuple(pts[index[a]]), tuple(pts[index[b]]),
                 (255, 255, 255), 1, cv2.LINE_AA)
    for p in pts:
        cv2.circle(big, tuple(p), max(1, scale // 2), (255, 0, 0), -1,
                   cv2.LINE_AA)
    return big


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default='data/synthetic')
    parser.add_argument('--split', default='test')
    parser.add_argument('--frames', type=int, default=4,
                        help='frames shown per video')
    parser.add_argument('--scale', type=int, default=2)
    parser.add_argument('--out', default='docs/images/synthetic_examples.png')
    args = parser.parse_args()

    with open(osp.join(args.data, 'annotations.json')) as f:
        meta = json.load(f)
    rows = []
    for label, action in enumerate(meta['classes']):
        rec = next(r for r in meta['videos']
                   if r['split'] == args.split and r['label'] == label
                   and r['identity'] == label % len(meta['identities']))
        reader = decord.VideoReader(osp.join(args.data, rec['filename']))
        ids = np.linspace(0, len(reader) - 1, args.frames).round().astype(int)
        frames = reader.get_batch(ids.tolist()).asnumpy()
        mask = np.load(osp.join(args.data, rec['mask']))['mask'][ids]
        joints = np.load(osp.join(args.data, rec['joints']))['joints2d'][ids]
        plain = [cv2.resize(f, None, fx=args.scale, fy=args.scale,
                            interpolation=cv2.INTER_NEAREST) for f in frames]
        marked = [overlay(f, m, j, args.scale)
                  for f, m, j in zip(frames, mask, joints)]
        row = np.concatenate(plain + marked, axis=1)
        label_bar = np.full((14, row.shape[1], 3), 255, np.uint8)
        cv2.putText(label_bar, f'{label}: {action} ({rec["identity_name"]})',
                    (2, 11), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1,
                    cv2.LINE_AA)
        rows.append(np.concatenate([label_bar, row], axis=0))
    sheet = np.concatenate(rows, axis=0)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    cv2.imwrite(args.out, cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f'wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]})')


if __name__ == '__main__':
    main()
