"""Look at what the anonymizer did: original | person mask | avatar render |
anonymized | privacy mask, as a PNG strip and a side-by-side MP4.

    python tools/visualize_anonymization.py VIDEO [--config CFG]
        [--out DIR] [--frames 4]
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmprivact.anonymization.anonymizer_builder import \
    AnonymizerBuilder  # noqa: E402
from mmprivact.anonymization.comparison_strip import (  # noqa: E402
    comparison_frames, comparison_strip)
from mmprivact.anonymization.video_io import read_video  # noqa: E402
from mmprivact.anonymization.video_io import write_video  # noqa: E402

DEFAULT_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs',
    'anonymization', 'avatar_mediapipe-pose_default-body.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('video')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--out', default='work_dirs/anonymization_check',
                        help='folder for <name>_strip.png and '
                        '<name>_side_by_side.mp4')
    parser.add_argument('--frames', type=int, default=4,
                        help='rows of the PNG strip')
    parser.add_argument('--max-frames', type=int, default=None,
                        help='only the first N frames of the video')
    return parser.parse_args(argv)


def main(argv=None):
    import cv2
    args = parse_args(argv)
    frames, fps = read_video(args.video)
    if args.max_frames:
        frames = frames[:args.max_frames]
    anonymizer = AnonymizerBuilder.from_file(args.config)()
    result = anonymizer(frames, fps, source=args.video)
    os.makedirs(args.out, exist_ok=True)
    name = osp.splitext(osp.basename(args.video))[0]
    png = osp.join(args.out, f'{name}_strip.png')
    cv2.imwrite(png, cv2.cvtColor(
        comparison_strip(frames, result, num_frames=args.frames),
        cv2.COLOR_RGB2BGR))
    mp4 = osp.join(args.out, f'{name}_side_by_side.mp4')
    write_video(mp4, comparison_frames(frames, result), fps)
    print(json.dumps(dict(png=png, mp4=mp4, stage_seconds=result.stage_seconds,
                          non_sensitive_fraction=float(
                              result.non_sensitive.mean())), indent=1))


if __name__ == '__main__':
    main()
