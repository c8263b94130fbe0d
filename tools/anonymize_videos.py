"""Anonymize videos with any anonymizer backend (avatar, baseline, f_A).

    python tools/anonymize_videos.py INPUT OUT_DIR [--config CFG]
        [--cfg-options KEY=VALUE ...] [--num-shards N --shard-id I]
        [--workers K]

The backend is the config's ``anonymizer`` dict (configs/anonymization/:
pose-following avatars, the blur / pixelate / blackout baselines, or a
trained penalty-minimax anonymizer f_A); ``--cfg-options`` overrides its
keys, e.g. ``--config configs/anonymization/learned_penalty-minimax.py
--cfg-options checkpoint=work_dirs/x/epoch_5.pth``.

INPUT is a video file, a folder (searched recursively) or an MMAction2
annotation list (``<path> <label>`` lines, paths relative to --video-root,
default: the list's folder). For every video it writes
``OUT_DIR/<relative path>.mp4`` (same frame count, size and fps) and
``OUT_DIR/<relative path>.privacy_mask.npz`` (key ``non_sensitive``: bool
T x H x W, True = non-sensitive (synthetic); all False for backends whose
every pixel derives from real ones), rewrites the annotation list into
OUT_DIR, and keeps ``OUT_DIR/report.json`` (per-video status, frames,
seconds, fps, seconds per stage). Re-running skips finished videos;
unreadable videos are reported and skipped. A cluster job array splits a
dataset with ``--num-shards N --shard-id $SLURM_ARRAY_TASK_ID``.
"""
import argparse
import json
import logging
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmprivact.anonymization import VideoBatchJob  # noqa: E402
from mmprivact.anonymization.anonymizer_builder import \
    AnonymizerBuilder  # noqa: E402

DEFAULT_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs',
    'anonymization', 'avatar_mediapipe-pose_default-body.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('input', help='video file, folder or annotation list')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help='anonymizer config (a Python file defining '
                        '`anonymizer = dict(type=...)`); default: the '
                        'offline avatar pipeline')
    parser.add_argument('--cfg-options', nargs='+', default=None,
                        metavar='KEY=VALUE',
                        help='override keys of the config\'s `anonymizer` '
                        'dict; values are Python literals when they parse, '
                        'else strings; dotted keys for nested dicts, e.g. '
                        'checkpoint=work_dirs/x/epoch_5.pth pose.fov_deg=50')
    parser.add_argument('--video-root', default=None,
                        help='folder the annotation list paths are relative '
                        'to (default: the list\'s folder)')
    parser.add_argument('--list-out', default=None,
                        help='where the rewritten annotation list goes '
                        '(default: OUT_DIR/<list name>)')
    parser.add_argument('--num-shards', type=int, default=1)
    parser.add_argument('--shard-id', type=int, default=0)
    parser.add_argument('--workers', type=int, default=1,
                        help='parallel processes (each builds its own '
                        'anonymizer)')
    parser.add_argument('--threads-per-worker', type=int, default=1,
                        help='torch/OpenCV threads in each worker')
    parser.add_argument('--report-only', action='store_true',
                        help='only rebuild report.json (e.g. after all '
                        'shards finished)')
    parser.add_argument('--no-progress', action='store_true')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(message)s')
    builder = AnonymizerBuilder.from_file(
        args.config, threads=args.threads_per_worker,
        cfg_options=args.cfg_options)
    job = VideoBatchJob(args.input, args.out_dir, builder,
                        video_root=args.video_root,
                        num_shards=args.num_shards, shard_id=args.shard_id,
                        workers=args.workers,
                        progress=not args.no_progress,
                        list_out=args.list_out)
    report = job.write_report() if args.report_only else job.run()
    summary = {k: report[k] for k in ('counts', 'complete', 'frames',
                                      'seconds', 'fps',
                                      'stage_seconds_per_frame')}
    summary['report'] = osp.join(args.out_dir, 'report.json')
    print(json.dumps(summary, indent=1))
    return 0 if not report['counts']['failed'] else 1


if __name__ == '__main__':
    sys.exit(main())
