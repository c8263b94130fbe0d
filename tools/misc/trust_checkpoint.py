"""Mark checkpoints as your own, so they load with weights_only=False.

Checkpoints written by ``tools/train.py`` are signed automatically. Use this
only for full training checkpoints of yours that were written elsewhere (a
plain MMEngine runner, another machine). Never for files from third parties:
unpickling a file can run arbitrary code.

Example:
    python tools/misc/trust_checkpoint.py work_dirs/old_run/epoch_10.pth
"""
import argparse

from mmprivact.engine.runner import is_trusted_checkpoint, sign_checkpoint


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoints', nargs='+', help='checkpoint files')
    args = parser.parse_args()
    for path in args.checkpoints:
        if is_trusted_checkpoint(path):
            print(f'{path}: already signed')
            continue
        print(f'{path}: signed ({sign_checkpoint(path)})')


if __name__ == '__main__':
    main()
