"""Epsilon of a DP training run, or the noise multiplier for a budget.

A command-line front end to :func:`mmprivact.privacy.compute_epsilon` and
:func:`mmprivact.privacy.calibrate_noise_multiplier` (Poisson-subsampled
Gaussian mechanism, as used by DP-SGD and MaskDP).

The sampling rate is given either as ``--sample-rate q`` or as
``--batch-size B --dataset-size N [--world-size W]`` (``q = B * W / N``,
the rate of ``PoissonBatchSampler``); the length of training either as
``--steps S`` or as ``--epochs E``, where an epoch is
``max(1, round(1 / q))`` steps, ``PoissonBatchSampler``'s default.

Give exactly one of ``--noise-multiplier`` (prints epsilon) or
``--target-epsilon`` (prints the smallest noise multiplier, within the
library's tolerance, whose epsilon is at most the target, and that epsilon).

With ``--json`` one JSON object is printed instead of text. For a single
accountant it has the keys ``accountant``, ``delta``, ``sample_rate``,
``steps``, ``noise_multiplier`` and ``epsilon`` (plus ``target_epsilon``
when calibrating). With ``--accountant both`` it maps each accountant name
(``"rdp"``, ``"prv"``) to such an object; with ``--target-epsilon`` each
accountant is calibrated on its own, so the two sigmas may differ.

Exit status: 0 on success, 2 for invalid or contradicting arguments, 1 when
the target epsilon cannot be reached.

Examples:
    python tools/analysis/compute_epsilon.py --noise-multiplier 1.1 \
        --batch-size 16 --dataset-size 480 --epochs 20
    python tools/analysis/compute_epsilon.py --target-epsilon 8 \
        --sample-rate 0.01 --steps 5000 --delta 1e-5 --accountant both
    python tools/analysis/compute_epsilon.py --noise-multiplier 0.8 \
        --batch-size 8 --world-size 4 --dataset-size 10000 --steps 2000 \
        --accountant prv --json
"""
import argparse
import json
import math
import sys
from typing import Any, Dict, List, Optional, Sequence

from mmprivact.privacy import calibrate_noise_multiplier, compute_epsilon

#: Result of one accountant (see the module docstring for its keys).
Result = Dict[str, Any]


def _positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected an integer, got {text!r}')
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {value}')
    return value


def _positive_float(text: str) -> float:
    """Argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a number, got {text!r}')
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(
            f'must be a positive finite number, got {text}')
    return value


def _open_unit(text: str) -> float:
    """Argparse type: a number in (0, 1)."""
    value = _positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f'must be in (0, 1), got {text}')
    return value


def _build_parser() -> argparse.ArgumentParser:
    """The argument parser; checks across groups are in :func:`parse_args`."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog='q = batch_size * world_size / dataset_size; an epoch is '
        'max(1, round(1 / q)) steps, as in PoissonBatchSampler.')

    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument('--noise-multiplier', type=_positive_float,
                      metavar='SIGMA',
                      help='noise std / clip norm; prints epsilon')
    what.add_argument('--target-epsilon', type=_positive_float,
                      metavar='EPS',
                      help='privacy budget; prints the noise multiplier '
                      'that reaches it')

    rate = parser.add_mutually_exclusive_group(required=True)
    rate.add_argument('--sample-rate', type=_positive_float, metavar='Q',
                      help='Poisson sampling rate q in (0, 1]')
    rate.add_argument('--batch-size', type=_positive_int, metavar='B',
                      help='expected batch size per rank (needs '
                      '--dataset-size)')
    parser.add_argument('--dataset-size', type=_positive_int, metavar='N',
                        help='number of training records (with '
                        '--batch-size)')
    parser.add_argument('--world-size', type=_positive_int, metavar='W',
                        help='number of ranks (with --batch-size; '
                        'default 1)')

    length = parser.add_mutually_exclusive_group(required=True)
    length.add_argument('--steps', type=_positive_int, metavar='S',
                        help='number of optimizer steps')
    length.add_argument('--epochs', type=_positive_int, metavar='E',
                        help='number of epochs of max(1, round(1 / q)) '
                        'steps')

    parser.add_argument('--delta', type=_open_unit, default=1e-5,
                        help='target delta, in (0, 1) (default: 1e-5)')
    parser.add_argument('--accountant', choices=('rdp', 'prv', 'both'),
                        default='rdp',
                        help='privacy accountant (default: rdp)')
    parser.add_argument('--json', action='store_true',
                        help='print one JSON object instead of text')
    return parser


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse and check the arguments; derive ``sample_rate`` and ``steps``.

    Args:
        argv (Sequence[str], optional): Arguments without the program name.
            Defaults to ``sys.argv[1:]``.

    Returns:
        argparse.Namespace: The arguments, with ``sample_rate`` and
        ``steps`` always set.

    Raises:
        SystemExit: With code 2 (via ``parser.error``) on invalid or
            contradicting arguments.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.batch_size is None:
        extra = [name for name, value in (('--dataset-size',
                                           args.dataset_size),
                                          ('--world-size', args.world_size))
                 if value is not None]
        if extra:
            parser.error(f'argument {"/".join(extra)}: only used with '
                         '--batch-size, not with --sample-rate')
        if args.sample_rate > 1:
            parser.error(f'argument --sample-rate: must be in (0, 1], got '
                         f'{args.sample_rate}')
    else:
        if args.dataset_size is None:
            parser.error('argument --batch-size: needs --dataset-size to '
                         'derive the sampling rate')
        world_size = 1 if args.world_size is None else args.world_size
        args.sample_rate = args.batch_size * world_size / args.dataset_size
        if args.sample_rate > 1:
            parser.error(
                f'argument --batch-size: expected batch size '
                f'{args.batch_size} x {world_size} rank(s) exceeds '
                f'--dataset-size {args.dataset_size}: the sampling rate '
                f'would be {args.sample_rate:.4g} > 1')
    if args.steps is None:
        args.steps = args.epochs * max(1, round(1 / args.sample_rate))
    return args


def _describe(result: Result, epochs: Optional[int]) -> str:
    """One human-readable line for one accountant's result."""
    when = (f'q = {result["sample_rate"]:.6g}, {result["steps"]} steps'
            + (f' = {epochs} epochs' if epochs is not None else '')
            + f', delta = {result["delta"]:g}')
    if 'target_epsilon' in result:
        return (f'{result["accountant"]}: noise multiplier '
                f'{result["noise_multiplier"]:.6g} gives epsilon '
                f'{result["epsilon"]:.4f} <= {result["target_epsilon"]:g} '
                f'({when})')
    return (f'{result["accountant"]}: epsilon {result["epsilon"]:.4f} with '
            f'noise multiplier {result["noise_multiplier"]:g} ({when})')


def main(argv: Optional[Sequence[str]] = None) -> Any:
    """Run the command line and print its result.

    Args:
        argv (Sequence[str], optional): Arguments without the program name.
            Defaults to ``sys.argv[1:]``.

    Returns:
        dict: For ``--accountant rdp`` or ``prv``, one result dict with keys
        ``accountant``, ``delta``, ``sample_rate``, ``steps``,
        ``noise_multiplier``, ``epsilon`` (and ``target_epsilon`` when
        calibrating); for ``both``, a dict mapping ``'rdp'`` and ``'prv'``
        to such dicts. The same object is what ``--json`` prints.

    Raises:
        SystemExit: Code 2 for invalid arguments, 1 when the target epsilon
            cannot be reached.
    """
    args = parse_args(argv)
    names: List[str] = (['rdp', 'prv'] if args.accountant == 'both' else
                        [args.accountant])
    common = dict(delta=args.delta, sample_rate=args.sample_rate,
                  steps=args.steps)
    results: Dict[str, Result] = {}
    for name in names:
        if args.target_epsilon is not None:
            try:
                sigma = calibrate_noise_multiplier(
                    target_epsilon=args.target_epsilon, accountant=name,
                    **common)
            except ValueError as exc:
                sys.exit(f'compute_epsilon.py: error: {exc}')
        else:
            sigma = args.noise_multiplier
        epsilon = compute_epsilon(noise_multiplier=sigma, accountant=name,
                                  **common)
        results[name] = dict(accountant=name, **common,
                             noise_multiplier=sigma, epsilon=epsilon)
        if args.target_epsilon is not None:
            results[name]['target_epsilon'] = args.target_epsilon

    output = results if args.accountant == 'both' else results[names[0]]
    if args.json:
        print(json.dumps(output, indent=2))
    else:
        for result in results.values():
            print(_describe(result, args.epochs))
    return output


if __name__ == '__main__':
    main()
