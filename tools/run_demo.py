"""The README's main job: synthetic data -> MaskDP training -> top-1, eps.

Generates the embedded synthetic benchmark if absent, trains the demo
recognizer on it with MaskDP at epsilon = 1 (resuming a previous run in the
same work dir instead of starting over), evaluates it on the test split --
full videos, and their masked view as anonymized test data would allow --
and prints top-1 accuracy and the privacy spent.

Example:
    python tools/run_demo.py
"""
import argparse
import json
import os
import os.path as osp
import time

from mmengine.config import Config

import mmprivact  # noqa: F401
from mmprivact.datasets.synthetic import generate_synthetic_dataset
from mmprivact.engine.runner import build_runner

DEFAULT_CONFIG = ('configs/maskdp/'
                  'r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--data', default='data/synthetic',
                        help='where the synthetic benchmark lives')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--seed', type=int, default=0,
                        help='training seed (the data seed is fixed)')
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.time()
    summary = generate_synthetic_dataset(args.data,
                                         workers=os.cpu_count() or 1)
    videos = summary['videos']
    counts = (', '.join(f'{k} {v}' for k, v in videos.items())
              if isinstance(videos, dict) else videos)
    print(f'[demo] data: {counts} videos in {args.data} '
          f'({summary["generated"]} generated now)', flush=True)

    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    cfg.resume = True  # continue an interrupted demo; no-op on a fresh dir
    cfg.load_from = None
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = args.data
    runner = build_runner(cfg)
    runner.train()
    metrics = runner.test()
    result = dict(
        config=args.config, work_dir=args.work_dir,
        test_top1=float(metrics['acc/top1']),
        test_top5=float(metrics['acc/top5']),
        test_mean_class_acc=float(metrics['acc/mean1']))
    preprocessor = runner.model.data_preprocessor
    privacy_path = osp.join(args.work_dir, 'privacy.json')
    if hasattr(preprocessor, 'mask_at_test') and osp.exists(privacy_path):
        # The same model on the masked view of the test videos.
        preprocessor.mask_at_test = True
        result['test_top1_masked_view'] = float(runner.test()['acc/top1'])
        with open(privacy_path) as f:
            result['privacy'] = json.load(f)
    result.update(
        # Wall time of this invocation (small when it resumed a finished run).
        minutes_this_invocation=round((time.time() - start) / 60, 2))
    with open(osp.join(args.work_dir, 'demo_result.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print(f'[demo] test top-1 accuracy: {result["test_top1"]:.4f} '
          f'(top-5 {result["test_top5"]:.4f}, mean class '
          f'{result["test_mean_class_acc"]:.4f})', flush=True)
    privacy = result.get('privacy')
    if privacy is not None and privacy['private']:
        print(f'[demo] test top-1 on the masked view: '
              f'{result["test_top1_masked_view"]:.4f}')
        print(f'[demo] privacy: {privacy["mode"]}, epsilon = '
              f'{privacy["epsilon"]:.3f} at delta = {privacy["delta"]} '
              f'({privacy["accountant"]}, {privacy["steps"]} steps, '
              f'noise multiplier {privacy["noise_multiplier"]:.3f}, clip '
              f'{privacy["max_grad_norm"]}, fill {privacy["fill"]})')
    print(f'[demo] {result["minutes_this_invocation"]} min; details in '
          f'{args.work_dir}/demo_result.json')


if __name__ == '__main__':
    main()
