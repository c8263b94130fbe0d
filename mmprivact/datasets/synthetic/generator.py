"""Generate the embedded synthetic benchmark as an MMAction2 VideoDataset.

Layout written under ``out_dir`` (see ``docs/synthetic_dataset.md``)::

    videos/v00000.mp4 ...        MPEG-4 (mp4v), RGB, ``size`` x ``size``
    masks/v00000.npz             ``mask``: bool (T, H, W), True on the figure
    joints/v00000.npz            3D/2D joints, intrinsics, joint names
    {train,val,test}.txt         ``videos/v00000.mp4 <action label>``
    {train,val,test}_identity.txt  same videos, identity label
    classes.txt identities.txt   label names, one per line
    annotations.json             everything above plus per-video parameters
    generation.json              the generation arguments (for resume)
"""
import json
import multiprocessing as mp
import os
import os.path as osp
import shutil
from dataclasses import asdict
from typing import Dict, List

import cv2
import numpy as np
from tqdm import tqdm

from ..annotation_lists import write_classes, write_list
from .appearance import IDENTITIES, make_background
from .motions import ACTION_NAMES, sample_motion_params, simulate_action
from .renderer import PinholeCamera, render_frames
from .skeleton import BONES, JOINT_NAMES, BodyProportions
from .video_io import write_mp4

SPLITS = ('train', 'val', 'test')
_FORMAT_VERSION = 2
_WALL_DEPTH = 9.0
_MAX_TRIES = 50
_MARGIN = 2.0


def _plan(per_combo: Dict[str, int], num_actions: int,
          num_identities: int) -> List[dict]:
    """Every video's split, action and identity, balanced per combination."""
    items = []
    for split in SPLITS:
        for _ in range(per_combo[split]):
            for action in range(num_actions):
                for identity in range(num_identities):
                    index = len(items)
                    items.append(dict(index=index, name=f'v{index:05d}',
                                      split=split, label=action,
                                      identity=identity))
    return items


def _savez_atomic(path: str, **arrays) -> None:
    tmp = path + '.tmp.npz'
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)


def sample_scene(item: dict, args: dict) -> dict:
    """Draw everything random about one video, deterministically.

    Args:
        item (dict): A plan entry (``index``, ``label``, ``identity``).
        args (dict): Generation arguments (``seed``, ``size``, ``fps``,
            ``num_frames``).

    Returns:
        dict: ``identity``, ``body``, ``params`` (motion), ``camera``,
        ``motion`` (world joints, yaw), ``joints_cam``, ``joints_2d`` and the
        static ``background`` image.
    """
    size, fps, num_frames = args['size'], args['fps'], args['num_frames']
    rng = np.random.default_rng(
        np.random.SeedSequence([args['seed'], item['index']]))
    action = ACTION_NAMES[item['label']]
    identity = IDENTITIES[item['identity']]
    body = BodyProportions(identity.height, identity.build)
    for _ in range(_MAX_TRIES):
        params = sample_motion_params(action, rng)
        camera = PinholeCamera(
            focal=1.3 * size, cx=size / 2 + rng.uniform(-2, 2), cy=size / 2,
            height=rng.uniform(0.9, 1.2))
        motion = simulate_action(action, body, params, num_frames, fps)
        joints_cam = camera.world_to_camera(motion['joints'])
        joints_2d = camera.project(joints_cam)
        if (joints_2d.min() >= _MARGIN
                and joints_2d.max() <= size - 1 - _MARGIN):
            break
    else:
        raise RuntimeError(f'Could not place video {item["index"]} inside '
                           f'the frame in {_MAX_TRIES} tries; use a larger '
                           '--size.')
    horizon = int(camera.cy + camera.focal * camera.height / _WALL_DEPTH)
    background = make_background(rng, size, size, horizon)
    return dict(identity=identity, body=body, params=params, camera=camera,
                motion=motion, joints_cam=joints_cam, joints_2d=joints_2d,
                background=background)


def _relative_paths(name: str) -> Dict[str, str]:
    """Paths of one video's files, relative to the output folder."""
    return dict(video=f'videos/{name}.mp4', mask=f'masks/{name}.npz',
                joints=f'joints/{name}.npz')


def _render_item(item: dict, args: dict) -> dict:
    """Render and write one video with its mask and joints; return record."""
    cv2.setNumThreads(1)
    scene = sample_scene(item, args)
    frames, masks = render_frames(scene['motion']['joints'],
                                  scene['motion']['yaw'], scene['body'],
                                  scene['identity'], scene['background'],
                                  scene['camera'])
    params, camera, motion = scene['params'], scene['camera'], scene['motion']
    joints_cam, joints_2d = scene['joints_cam'], scene['joints_2d']
    out = args['out_dir']
    rel = _relative_paths(item['name'])
    _savez_atomic(osp.join(out, rel['mask']), mask=masks)
    _savez_atomic(
        osp.join(out, rel['joints']),
        joints3d=joints_cam.astype(np.float32),
        joints2d=joints_2d.astype(np.float32),
        joints3d_world=motion['joints'].astype(np.float32),
        intrinsics=camera.intrinsics.astype(np.float32),
        joint_names=np.array(JOINT_NAMES))
    write_mp4(osp.join(out, rel['video']), frames, args['fps'],
              bit_rate=args['bit_rate'])
    return _record(item, params, camera)


def _record(item, params, camera) -> dict:
    identity = IDENTITIES[item['identity']]
    rel = _relative_paths(item['name'])
    return dict(
        filename=rel['video'], mask=rel['mask'], joints=rel['joints'],
        split=item['split'], label=item['label'],
        action=ACTION_NAMES[item['label']], identity=item['identity'],
        identity_name=identity.name, motion=asdict(params),
        camera=dict(focal=camera.focal, cx=camera.cx, cy=camera.cy,
                    height=camera.height))


def _work(payload):
    item, args = payload
    return _render_item(item, args)


def _is_done(out_dir: str, name: str) -> bool:
    return all(
        osp.isfile(osp.join(out_dir, rel))
        for rel in _relative_paths(name).values())


def generate_synthetic_dataset(out_dir: str,
                               *,
                               seed: int = 0,
                               size: int = 96,
                               num_frames: int = 32,
                               fps: int = 16,
                               train_per_combo: int = 6,
                               val_per_combo: int = 1,
                               test_per_combo: int = 2,
                               num_identities: int = len(IDENTITIES),
                               bit_rate: int = 300_000,
                               workers: int = 1,
                               progress: bool = True,
                               overwrite: bool = False) -> dict:
    """Write the synthetic action benchmark to ``out_dir``.

    Each video shows one figure performing one of :data:`ACTION_NAMES` in
    front of a per-video random scene; the identity (appearance) is drawn
    independently of the action, balanced over every (action, identity)
    combination in every split. Deterministic given the arguments: the same
    seed gives the same bytes, whatever ``workers`` is. Finished videos are
    kept, so an interrupted run resumes where it stopped.

    Args:
        out_dir (str): Output folder.
        seed (int): Master seed.
        size (int): Frame height and width in pixels (even, >= 64).
        num_frames (int): Frames per video.
        fps (int): Frame rate.
        train_per_combo (int): Training videos per (action, identity).
        val_per_combo (int): Validation videos per (action, identity).
        test_per_combo (int): Test videos per (action, identity).
        num_identities (int): How many of the identities to use (2-10).
        bit_rate (int): Video bit rate (bits/s); higher = larger files.
        workers (int): Worker processes.
        progress (bool): Show a progress bar.
        overwrite (bool): Allow replacing a dataset generated with other
            arguments.

    Returns:
        dict: Summary with the number of videos per split, how many were
        generated now, and the output folder.
    """
    if size < 64 or size % 2:
        raise ValueError(f'size must be an even number >= 64, got {size}.')
    if not 2 <= num_identities <= len(IDENTITIES):
        raise ValueError(f'num_identities must be in [2, {len(IDENTITIES)}], '
                         f'got {num_identities}.')
    if num_frames < 8:
        raise ValueError(f'num_frames must be >= 8, got {num_frames}.')
    per_combo = dict(train=train_per_combo, val=val_per_combo,
                     test=test_per_combo)
    if min(per_combo.values()) < 0 or per_combo['train'] < 1:
        raise ValueError(f'Videos per combination must be >= 0 (train >= 1), '
                         f'got {per_combo}.')
    args = dict(format_version=_FORMAT_VERSION, seed=seed, size=size,
                num_frames=num_frames, fps=fps, per_combo=per_combo,
                num_identities=num_identities, bit_rate=bit_rate)
    manifest = osp.join(out_dir, 'generation.json')
    if osp.isfile(manifest):
        with open(manifest) as f:
            previous = json.load(f)
        if previous != args and not overwrite:
            raise ValueError(
                f'{out_dir!r} holds a synthetic dataset generated with '
                f'different arguments ({previous}). Choose another --out, or '
                'pass --overwrite to regenerate it.')
        if previous != args:  # --overwrite: start from empty folders
            for sub in ('videos', 'masks', 'joints'):
                shutil.rmtree(osp.join(out_dir, sub), ignore_errors=True)
    for sub in ('videos', 'masks', 'joints'):
        os.makedirs(osp.join(out_dir, sub), exist_ok=True)
    with open(manifest, 'w') as f:
        json.dump(args, f, indent=1)

    items = _plan(per_combo, len(ACTION_NAMES), num_identities)
    todo = [it for it in items if not _is_done(out_dir, it['name'])]
    work_args = dict(args, out_dir=out_dir)
    records = {}
    bar = tqdm(total=len(todo), desc='synthetic videos', unit='video',
               disable=not progress or not todo)
    if workers > 1 and len(todo) > 1:
        with mp.get_context('fork').Pool(workers) as pool:
            for rec in pool.imap_unordered(
                    _work, [(it, work_args) for it in todo], chunksize=4):
                records[rec['filename']] = rec
                bar.update()
    else:
        for it in todo:
            rec = _render_item(it, work_args)
            records[rec['filename']] = rec
            bar.update()
    bar.close()
    all_records = _collect_records(out_dir, items, records, work_args)
    _write_annotations(out_dir, args, all_records)
    counts = {s: sum(r['split'] == s for r in all_records) for s in SPLITS}
    return dict(out_dir=out_dir, videos=counts, generated=len(todo))


def _collect_records(out_dir: str, items: List[dict], fresh: Dict[str, dict],
                     args: dict) -> List[dict]:
    """Records of all videos: fresh ones, else from the previous run."""
    previous = {}
    path = osp.join(out_dir, 'annotations.json')
    if len(fresh) < len(items) and osp.isfile(path):
        with open(path) as f:
            previous = {r['filename']: r for r in json.load(f)['videos']}
    records = []
    for it in items:
        key = _relative_paths(it['name'])['video']
        rec = fresh.get(key) or previous.get(key)
        if rec is None:
            # Finished on disk but its record was lost (killed before the
            # annotations were written): the scene is deterministic, so the
            # record is rebuilt without rendering again.
            scene = sample_scene(it, args)
            rec = _record(it, scene['params'], scene['camera'])
        records.append(rec)
    return records


def _write_annotations(out_dir: str, args: dict,
                       records: List[dict]) -> None:
    """Write list files, label names and ``annotations.json``."""
    identities = IDENTITIES[:args['num_identities']]
    for split in SPLITS:
        rows = [r for r in records if r['split'] == split]
        write_list(osp.join(out_dir, f'{split}.txt'),
                   [(r['filename'], r['label']) for r in rows])
        write_list(osp.join(out_dir, f'{split}_identity.txt'),
                   [(r['filename'], r['identity']) for r in rows])
    write_classes(osp.join(out_dir, 'classes.txt'), ACTION_NAMES)
    write_classes(osp.join(out_dir, 'identities.txt'),
                  [ident.name for ident in identities])
    meta = dict(
        generation=args, classes=list(ACTION_NAMES),
        identities=[ident.attributes() for ident in identities],
        private_attributes=['identity', 'shirt', 'shirt_secondary', 'pattern',
                            'pants', 'hair', 'skin', 'height', 'build'],
        joint_names=list(JOINT_NAMES), bones=[list(b) for b in BONES],
        conventions=dict(
            mask='masks/*.npz key "mask": bool (T, H, W), True on pixels the '
                 'figure covers (the non-sensitive region in MaskDP terms).',
            joints3d='camera coordinates (OpenCV: x right, y down, z forward)'
                     ', metres',
            joints3d_world='x right, y up, z away from the camera, metres; '
                           'floor at y = 0',
            joints2d='pixels (x, y) in the video frame'),
        videos=records)
    tmp = osp.join(out_dir, 'annotations.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(meta, f, indent=1)
    os.replace(tmp, osp.join(out_dir, 'annotations.json'))
