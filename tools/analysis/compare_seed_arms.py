"""Compare anonymized runs with raw runs over several seeds, paired by seed.

Reads each run's seed (its dumped config), test top-1 (``tools/test.py``)
and, for the anonymized arm, the attacker's identity top-1 on raw and on
anonymized frames (``tools/eval_privacy_leakage.py``). Reports per-seed
rows, the mean action gap and identity drop with their t-intervals, and
checks issue 5's target: identity at least ``--identity-drop`` points below
raw while action stays within ``--action-margin`` points of raw. Writes
``comparison.json`` and ``comparison.md`` to ``--out``.

Example::

    python tools/analysis/compare_seed_arms.py \\
        --reference work_dirs/minimax_long/raw_cf_seed{0..4} \\
        --anonymized work_dirs/minimax_hardbudget/freeze_b0.5_seed{0..4} \\
        --leakage-subdir leakage_identity --out work_dirs/arms_b0.5
"""
import argparse
import json
import os
import os.path as osp
import sys
from decimal import ROUND_HALF_UP, Decimal
from typing import Dict, List

from mmprivact.evaluation.paired_seed_comparison import PairedSeedComparison
from mmprivact.evaluation.run_results import read_run_result

#: Float slack for the bars: 66.25 - 56.25 must count as exactly 10 points.
_SLACK = 1e-9


def _by_seed(work_dirs: List[str], option: str, **kwargs) -> Dict[int, dict]:
    """Read runs into ``{seed: result}``; two runs of one seed are an error."""
    runs = {}
    for work_dir in work_dirs:
        result = dict(read_run_result(work_dir, **kwargs), work_dir=work_dir)
        seed = result['seed']
        if seed in runs:
            raise SystemExit(
                f'{option}: {runs[seed]["work_dir"]} and {work_dir} both ran '
                f'seed {seed}; pass one run per seed and arm.')
        runs[seed] = result
    return runs


def _verdict(ok_mean: bool, ok_interval: bool) -> str:
    if ok_interval:
        return 'met (whole interval)'
    return 'met in the mean only' if ok_mean else 'not met'


def compare(reference: Dict[int, dict], anonymized: Dict[int, dict], *,
            action_margin: float, identity_drop: float,
            confidence: float) -> dict:
    """Build the report: per-seed rows, both paired comparisons (in points)
    and the verdicts."""

    def pct(runs, key):
        return {s: 100 * r[key] for s, r in runs.items()}

    action = PairedSeedComparison.from_runs(
        pct(reference, 'metric'), pct(anonymized, 'metric'),
        confidence=confidence)
    identity = PairedSeedComparison.from_runs(
        pct(anonymized, 'leakage_raw'), pct(anonymized, 'leakage'),
        confidence=confidence)
    _, gap_high = action.interval
    drop_low, _ = identity.interval
    return dict(
        seeds=action.seeds,
        runs=dict(
            reference={s: reference[s]['work_dir'] for s in action.seeds},
            anonymized={s: anonymized[s]['work_dir'] for s in action.seeds}),
        action_gap=action.to_dict(),
        identity_drop=identity.to_dict(),
        target=dict(action_margin=action_margin, identity_drop=identity_drop,
                    confidence=confidence),
        action_within_margin=_verdict(
            action.mean_difference <= action_margin + _SLACK,
            gap_high <= action_margin + _SLACK),
        identity_below_raw=_verdict(
            identity.mean_difference >= identity_drop - _SLACK,
            drop_low >= identity_drop - _SLACK),
        seeds_meeting_both=[
            s for s, g, d in zip(action.seeds, action.differences,
                                 identity.differences)
            if g <= action_margin + _SLACK and d >= identity_drop - _SLACK
        ])


def _pt(value: float, sign: bool = False) -> str:
    """One decimal, halves rounded up: 160 test videos make many values end
    in .25 or .75, which ``format`` would round to even (66.25 -> 66.2)."""
    text = str(Decimal(repr(round(float(value), 9))).quantize(
        Decimal('0.1'), rounding=ROUND_HALF_UP))
    return f'+{text}' if sign and not text.startswith('-') else text


def to_markdown(report: dict) -> str:
    """Render the report as a Markdown table and summary lines."""
    a, i = report['action_gap'], report['identity_drop']
    conf = round(100 * report['target']['confidence'])
    lines = [
        '| seed | raw action | anonymized action | gap | raw identity | '
        'anonymized identity | drop |', '|---|---|---|---|---|---|---|'
    ]
    for k, seed in enumerate(report['seeds']):
        lines.append(
            f'| {seed} | {_pt(a["reference"][k])} | {_pt(a["treated"][k])} | '
            f'{_pt(a["differences"][k], True)} | {_pt(i["reference"][k])} | '
            f'{_pt(i["treated"][k])} | {_pt(i["differences"][k], True)} |')
    lines.append(
        f'| mean | {_pt(a["mean_reference"])} | {_pt(a["mean_treated"])} | '
        f'{_pt(a["mean_difference"], True)} | {_pt(i["mean_reference"])} | '
        f'{_pt(i["mean_treated"])} | {_pt(i["mean_difference"], True)} |')
    t = report['target']
    lines += [
        '',
        f'Action gap (raw - anonymized, points): mean '
        f'{_pt(a["mean_difference"])}, sd {_pt(a["std_difference"])}, '
        f'{conf} % interval [{_pt(a["interval"][0])}, '
        f'{_pt(a["interval"][1])}]'
        f'; within {t["action_margin"]:g} points: '
        f'{report["action_within_margin"]}.',
        f'Identity drop (raw - anonymized, points): mean '
        f'{_pt(i["mean_difference"])}, sd {_pt(i["std_difference"])}, '
        f'{conf} % interval [{_pt(i["interval"][0])}, '
        f'{_pt(i["interval"][1])}]'
        f'; at least {t["identity_drop"]:g} points: '
        f'{report["identity_below_raw"]}.',
        f'Seeds meeting both targets: {report["seeds_meeting_both"] or "none"}'
        f' of {report["seeds"]}.',
    ]
    return '\n'.join(lines) + '\n'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--reference', nargs='+', required=True,
                        help='work dirs of the raw runs (trained and tested)')
    parser.add_argument('--anonymized', nargs='+', required=True,
                        help='work dirs of the anonymized runs (trained, '
                        'tested, leakage evaluated)')
    parser.add_argument('--leakage-subdir', default='leakage_identity',
                        help="eval_privacy_leakage.py's --out under each "
                        'anonymized work dir')
    parser.add_argument('--metric', default='acc/top1',
                        help='the test metric to compare')
    parser.add_argument('--action-margin', type=float, default=10.0,
                        help='largest allowed action loss, in points')
    parser.add_argument('--identity-drop', type=float, default=30.0,
                        help='smallest required identity drop, in points')
    parser.add_argument('--confidence', type=float, default=0.95)
    parser.add_argument('--out', required=True, help='output directory')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        reference = _by_seed(args.reference, '--reference', metric=args.metric)
        anonymized = _by_seed(args.anonymized, '--anonymized',
                              metric=args.metric,
                              leakage_subdir=args.leakage_subdir)
        report = compare(reference, anonymized,
                         action_margin=args.action_margin,
                         identity_drop=args.identity_drop,
                         confidence=args.confidence)
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'error: {err}')
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'comparison.json'), 'w') as f:
        json.dump(report, f, indent=1)
    markdown = to_markdown(report)
    with open(osp.join(args.out, 'comparison.md'), 'w') as f:
        f.write(markdown)
    print(markdown, end='')


if __name__ == '__main__':
    main()
