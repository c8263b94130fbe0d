"""Measure the avatar anonymizer: avatar on the person, face gone, background
kept, mask stability, and per-stage speed.

    python tools/analysis/anonymization_quality.py [--config CFG]
        [--videos V1.mp4 ...] [--no-builtin] [--synthetic N]
        [--out work_dirs/anonymization_quality]

Clips measured: the built-in real footage (real photos of people from
scikit-image, panned across a 320x240 frame so the person moves steadily;
no download), any real videos given with --videos, and N test videos of
the synthetic set (ground-truth person masks). Real clips with real
motion: ``python tools/data/fetch_real_clips.py``, then ``--videos
data/real_clips``. Quality is measured on the encoded and decoded output,
as the dataset tool writes it (H.264, crf 17). Writes results.json and
results.md; the first clip of a run is measured twice and the first pass
dropped, so model start-up is not counted in the speed.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmprivact.anonymization.anonymization_quality import (  # noqa: E402
    COMMON_LEFT_RIGHT, MEDIAPIPE33_COMMON, SYNTHETIC16_COMMON, joint_error,
    measure_quality)
from mmprivact.anonymization.anonymizer_builder import \
    AnonymizerBuilder  # noqa: E402
from mmprivact.anonymization.face_detector import FaceDetector  # noqa: E402
from mmprivact.anonymization.video_io import (read_video,  # noqa: E402
                                              write_video)

DEFAULT_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'configs', 'anonymization', 'avatar_mediapipe-pose_default-body.py')


def builtin_clips(num_frames=16, size=(240, 320)):
    """Real people from scikit-image's sample photos, panned steadily."""
    from skimage import data
    h, w = size
    astronaut = data.astronaut()
    camera = np.repeat(data.camera()[..., None], 3, axis=2)  # cameraman
    clips = {}
    clips['astronaut_pan'] = np.stack([
        astronaut[40:40 + h, 40 + 8 * t:40 + 8 * t + w]
        for t in range(num_frames)])
    clips['cameraman_pan'] = np.stack([
        camera[60:60 + h, 20 + 6 * t:20 + 6 * t + w]
        for t in range(num_frames)])
    return {k: np.ascontiguousarray(v) for k, v in clips.items()}


def expand_videos(paths):
    """Video files, with folders replaced by the videos inside them."""
    out = []
    for path in paths:
        if osp.isdir(path):
            out += sorted(
                osp.join(path, n) for n in os.listdir(path)
                if n.lower().endswith(('.mp4', '.avi', '.mkv', '.webm')))
        else:
            out.append(path)
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument(
        '--videos', nargs='*', default=[],
        help='real videos, or folders of them (e.g. data/real_clips from '
        'tools/data/fetch_real_clips.py)')
    parser.add_argument('--no-builtin', action='store_true')
    parser.add_argument('--synthetic', type=int, default=0,
                        help='also measure N synthetic test videos')
    parser.add_argument('--data', default='data/synthetic')
    parser.add_argument('--out', default='work_dirs/anonymization_quality')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    clips = {} if args.no_builtin else {
        k: (v, 10.0, None) for k, v in builtin_clips().items()}
    for path in expand_videos(args.videos):
        frames, fps = read_video(path)
        clips[osp.splitext(osp.basename(path))[0]] = (frames, fps, None)
    gt_joints = {}
    if args.synthetic:
        lines = open(osp.join(args.data, 'test.txt')).read().split('\n')
        for line in lines[:args.synthetic]:
            rel = line.split()[0]
            frames, fps = read_video(osp.join(args.data, rel))
            stem = osp.splitext(osp.basename(rel))[0]
            with np.load(osp.join(args.data, 'masks', stem + '.npz')) as d:
                clips['synthetic/' + stem] = (frames, fps, d['mask'])
            with np.load(osp.join(args.data, 'joints', stem + '.npz')) as d:
                gt_joints['synthetic/' + stem] = d['joints3d']
    anonymizer = AnonymizerBuilder.from_file(args.config, threads=1)()
    faces = FaceDetector()
    rows, first = [], True
    for name, (frames, fps, gt_person) in clips.items():
        if first:  # warm-up pass: model start-up is not throughput
            anonymizer(frames, fps, source=name)
            first = False
        start = time.perf_counter()
        result = anonymizer(frames, fps, source=name)
        seconds = time.perf_counter() - start
        person = gt_person if gt_person is not None else \
            result.extras['person_mask']
        # Measured on what the tool ships: the encoded, decoded video.
        encoded = osp.join(args.out, 'encoded.mp4')
        os.makedirs(args.out, exist_ok=True)
        write_video(encoded, result.frames, fps)
        shipped, _ = read_video(encoded)
        quality = measure_quality(frames, shipped, person,
                                  result.extras['avatar_mask'],
                                  face_detector=faces)
        exact = measure_quality(frames, result.frames, person,
                                result.extras['avatar_mask'])
        pose_err = {}
        seq = result.extras.get('pose')
        if name in gt_joints and seq is not None:
            # The pose stage's output, against the set's true 3D joints.
            if seq.layout == 'mediapipe33':
                pose_err = joint_error(
                    seq.joints3d[0][:, list(MEDIAPIPE33_COMMON)],
                    gt_joints[name][:, list(SYNTHETIC16_COMMON)],
                    seq.valid[0], left_right=COMMON_LEFT_RIGHT)
        rows.append(dict(
            clip=name, frames=len(frames), pose_error=pose_err,
            size=f'{frames.shape[2]}x{frames.shape[1]}',
            person_mask='ground truth' if gt_person is not None else
            'pipeline segmentation',
            fps=len(frames) / seconds,
            stage_ms_per_frame={k: 1000 * v / len(frames)
                                for k, v in result.stage_seconds.items()},
            background_psnr_before_encoding=exact.background_psnr,
            **quality.as_dict()))
        print(json.dumps(rows[-1]), flush=True)
    faces.close()
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'results.json'), 'w') as f:
        json.dump(dict(config=args.config, rows=rows), f, indent=1)
    header = ('| clip | frames | avatar in person box | person covered | '
              'face found again | background PSNR (dB) | consecutive mask '
              'IoU (person\'s own; centred) | fps |\n'
              '|---|---|---|---|---|---|---|---|\n')
    body = ''.join(
        f"| {r['clip']} | {r['frames']} ({r['size']}) | "
        f"{100 * r['avatar_in_person_box']:.1f} % | "
        f"{100 * r['person_covered']:.1f} % | "
        f"{r['face_frames_still_found']}/{r['face_frames_original']} | "
        f"{r['background_psnr']:.1f} | {r['consecutive_mask_iou']:.3f} "
        f"({r['person_consecutive_iou']:.3f}; "
        f"{r['centered_consecutive_iou']:.3f}) | "
        f"{r['fps']:.2f} |\n" for r in rows)
    stages = sorted({k for r in rows for k in r['stage_ms_per_frame']})
    body += ('\nms per frame: | clip | ' + ' | '.join(stages) + ' |\n|---|' +
             '---|' * len(stages) + '\n' + ''.join(
                 f"| {r['clip']} | " + ' | '.join(
                     f"{r['stage_ms_per_frame'].get(s, 0):.0f}"
                     for s in stages) + ' |\n' for r in rows))
    posed = [r for r in rows if r['pose_error']]
    if posed:
        body += ('\npose 3D error (12 limb joints, ground truth): | clip | '
                 'frames found | MPJPE (cm) | PA-MPJPE (cm) | frames with '
                 'left/right swapped | PA-MPJPE either side (cm) |\n'
                 '|---|---|---|---|---|---|\n' + ''.join(
                     f"| {r['clip']} | {r['pose_error']['frames']}/"
                     f"{r['frames']} | {r['pose_error']['mpjpe_cm']:.1f} | "
                     f"{r['pose_error']['pa_mpjpe_cm']:.1f} | "
                     f"{r['pose_error'].get('side_swapped_frames', 0)} | "
                     f"{r['pose_error'].get('pa_mpjpe_either_side_cm', 0):.1f}"
                     " |\n" for r in posed))
        means = {k: np.mean([r['pose_error'][k] for r in posed])
                 for k in ('mpjpe_cm', 'pa_mpjpe_cm',
                           'pa_mpjpe_either_side_cm')}
        body += (f"| mean of {len(posed)} | | {means['mpjpe_cm']:.1f} | "
                 f"{means['pa_mpjpe_cm']:.1f} | | "
                 f"{means['pa_mpjpe_either_side_cm']:.1f} |\n")
    with open(osp.join(args.out, 'results.md'), 'w') as f:
        f.write(header + body)
    print(header + body)


if __name__ == '__main__':
    main()
