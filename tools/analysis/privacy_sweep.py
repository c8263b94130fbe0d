"""Privacy-utility sweep: train and test a grid of methods x epsilons x seeds
and write a report (tables, plots, example frames, privacy parameters).

    python tools/analysis/privacy_sweep.py SWEEP_CONFIG [--out DIR]
        [--dry-run] [--report-only] [--no-examples] [--no-progress]

SWEEP_CONFIG is an MMEngine config file (see configs/sweeps/ and
docs/privacy_reports.md#sweep-and-report). Every run trains with
tools/train.py --resume and is tested with tools/test.py --dump under
OUT/runs/<method>_eps<e>_seed<s>/ (non-private: <method>_seed<s>), with a
status.json per run: a second invocation skips finished runs, resumes
interrupted ones and retries failed ones; a failed run is reported and the
sweep goes on. OUT gets results.csv, results.json, report.md, report.html
and the figures. --report-only rebuilds the report from OUT/results.json.

Example (the MaskDP table of docs/maskdp.md, 5 runs, under an hour on 2
CPU cores):
    python tools/analysis/privacy_sweep.py \\
        configs/sweeps/maskdp_table_synthetic.py \\
        --out work_dirs/sweeps/maskdp_table_synthetic
"""
import argparse
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('sweep_config', help='sweep config (.py)')
    parser.add_argument(
        '--out', default=None,
        help='output folder (default: work_dirs/sweeps/<config name>)')
    parser.add_argument('--dry-run', action='store_true',
                        help='validate the sweep and list its runs and '
                        'training commands; run nothing')
    parser.add_argument('--report-only', action='store_true',
                        help='rebuild the report from OUT/results.json '
                        'without training or testing')
    parser.add_argument('--no-examples', action='store_true',
                        help='leave out the example-frames figure')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    args = parser.parse_args(argv)
    if args.dry_run and args.report_only:
        parser.error('--dry-run and --report-only exclude each other.')
    if args.out is None:
        name = osp.splitext(osp.basename(args.sweep_config))[0]
        args.out = osp.join('work_dirs', 'sweeps', name)
    return args


def main(argv=None, command=None) -> dict:
    """Run the tool; ``command`` replaces the subprocess runner (tests).

    Returns:
        dict: ``plan`` (dry run) or ``summary`` and ``paths`` of the report.
    """
    args = parse_args(argv)
    import mmprivact  # noqa: F401  (registers components, fixes mmaction)
    from mmprivact.evaluation.sweep import (SweepGrid, SweepReport,
                                            SweepResults, SweepRunner)
    if args.report_only:
        results = SweepResults.load(args.out)
    else:
        grid = SweepGrid(args.sweep_config)
        runner = SweepRunner(grid, args.out, REPO, command=command,
                             progress=not args.no_progress)
        if args.dry_run:
            plan = runner.plan()
            for method, reason in grid.skipped().items():
                print(f'skip {method}: {reason}')
            for item in plan:
                print(f"{item['name']} [{item['state']}]\n    "
                      f"{item['train_command']}")
            print(f'{len(plan)} runs; outputs in {osp.abspath(args.out)}')
            return dict(plan=plan)
        results = runner.run()
    report = SweepReport(results, args.out).build(
        examples=not args.no_examples)
    print(report['summary'])
    for name, path in report['paths'].items():
        print(f'{name}: {path}')
    return report


if __name__ == '__main__':
    main()
