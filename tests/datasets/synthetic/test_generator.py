"""The synthetic benchmark is deterministic, balanced, aligned and usable."""
import collections
import hashlib
import json

import cv2
import decord
import numpy as np
import pytest

from mmprivact.datasets.synthetic import (ACTION_NAMES, IDENTITIES,
                                          JOINT_NAMES,
                                          generate_synthetic_dataset)
from mmprivact.datasets.synthetic.generator import sample_scene
from mmprivact.datasets.synthetic.renderer import PinholeCamera

from ...conftest import TINY_SYNTHETIC


def _digest(root):
    """SHA-256 of every generated file, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob('*')) if p.is_file()
    }


def _read_list(path):
    rows = [line.split() for line in path.read_text().splitlines()]
    return [(name, int(label)) for name, label in rows]


def test_same_seed_same_bytes_any_worker_count(tiny_synthetic, tmp_path):
    again = tmp_path / 'again'
    generate_synthetic_dataset(str(again), progress=False, workers=2,
                               **TINY_SYNTHETIC)
    assert _digest(again) == _digest(tiny_synthetic)


def test_other_seed_other_videos(tiny_synthetic, tmp_path):
    other = tmp_path / 'other'
    args = dict(TINY_SYNTHETIC, seed=TINY_SYNTHETIC['seed'] + 1)
    generate_synthetic_dataset(str(other), progress=False, **args)
    a = (tiny_synthetic / 'videos' / 'v00000.mp4').read_bytes()
    b = (other / 'videos' / 'v00000.mp4').read_bytes()
    assert a != b
    # The plan (labels, identities) is the same; only nuisances differ.
    assert (other / 'train.txt').read_text() == (
        tiny_synthetic / 'train.txt').read_text()


def test_lists_are_balanced_and_identity_independent(tiny_synthetic):
    n_ids = TINY_SYNTHETIC['num_identities']
    for split in ('train', 'val', 'test'):
        actions = dict(_read_list(tiny_synthetic / f'{split}.txt'))
        identities = dict(_read_list(tiny_synthetic /
                                     f'{split}_identity.txt'))
        assert actions.keys() == identities.keys()
        per_combo = TINY_SYNTHETIC[f'{split}_per_combo']
        counts = collections.Counter(
            (actions[k], identities[k]) for k in actions)
        # Every (action, identity) pair equally often: identity carries no
        # information about the action.
        assert counts == {(a, i): per_combo
                          for a in range(len(ACTION_NAMES))
                          for i in range(n_ids)}
    splits = [set(dict(_read_list(tiny_synthetic / f'{s}.txt')))
              for s in ('train', 'val', 'test')]
    assert not (splits[0] & splits[1] or splits[0] & splits[2]
                or splits[1] & splits[2])
    classes = (tiny_synthetic / 'classes.txt').read_text().split()
    assert classes == list(ACTION_NAMES) and len(classes) >= 6


def test_annotations_json_matches_lists(tiny_synthetic):
    meta = json.loads((tiny_synthetic / 'annotations.json').read_text())
    assert meta['joint_names'] == list(JOINT_NAMES)
    assert len(meta['identities']) == TINY_SYNTHETIC['num_identities']
    train = dict(_read_list(tiny_synthetic / 'train.txt'))
    for rec in meta['videos']:
        assert rec['action'] == ACTION_NAMES[rec['label']]
        assert rec['identity_name'] == IDENTITIES[rec['identity']].name
        if rec['split'] == 'train':
            assert train[rec['filename']] == rec['label']
        for key in ('filename', 'mask', 'joints'):
            assert (tiny_synthetic / rec[key]).is_file()


def _load(root, rec):
    frames = decord.VideoReader(str(root / rec['filename']))
    frames = frames.get_batch(range(len(frames))).asnumpy()
    mask = np.load(root / rec['mask'])['mask']
    joints = dict(np.load(root / rec['joints']))
    return frames, mask, joints


def test_video_mask_and_joint_shapes(tiny_synthetic):
    meta = json.loads((tiny_synthetic / 'annotations.json').read_text())
    size, t = TINY_SYNTHETIC['size'], TINY_SYNTHETIC['num_frames']
    for rec in meta['videos'][:8]:
        frames, mask, joints = _load(tiny_synthetic, rec)
        assert frames.shape == (t, size, size, 3)
        assert mask.dtype == bool and mask.shape == (t, size, size)
        assert joints['joints3d'].shape == (t, len(JOINT_NAMES), 3)
        assert joints['joints2d'].shape == (t, len(JOINT_NAMES), 2)
        assert list(joints['joint_names']) == list(JOINT_NAMES)


def test_joints_inside_frame_and_consistent_with_camera(tiny_synthetic):
    meta = json.loads((tiny_synthetic / 'annotations.json').read_text())
    size = TINY_SYNTHETIC['size']
    for rec in meta['videos']:
        joints = np.load(tiny_synthetic / rec['joints'])
        uv, xyz = joints['joints2d'], joints['joints3d']
        assert uv.min() >= 0 and uv.max() <= size - 1
        assert (xyz[..., 2] > 0).all()  # in front of the camera
        cam = PinholeCamera(**rec['camera'])
        np.testing.assert_allclose(cam.project(xyz.astype(np.float64)), uv,
                                   atol=1e-3)
        np.testing.assert_allclose(joints['intrinsics'], cam.intrinsics,
                                   atol=1e-4)


def test_masks_follow_the_figure(tiny_synthetic):
    """Joints lie on the mask, the mask hugs the joints, and the pixels under
    the mask show the figure's clothes, not the background."""
    meta = json.loads((tiny_synthetic / 'annotations.json').read_text())
    for rec in meta['videos']:
        frames, mask, joints = _load(tiny_synthetic, rec)
        uv = np.rint(joints['joints2d']).astype(int)
        t_idx = np.arange(len(mask))[:, None]
        on_mask = mask[t_idx, uv[..., 1], uv[..., 0]]
        torso = [JOINT_NAMES.index(n) for n in ('pelvis', 'spine', 'neck')]
        assert on_mask[:, torso].all(), rec['filename']
        assert on_mask.mean() > 0.9
        area = mask.reshape(len(mask), -1).mean(1)
        assert (area > 0.005).all() and (area < 0.3).all()
        for f in range(len(mask)):  # the mask stays near the skeleton
            ys, xs = np.nonzero(mask[f])
            lo, hi = uv[f].min(0), uv[f].max(0)
            assert xs.min() >= lo[0] - 8 and xs.max() <= hi[0] + 8
            assert ys.min() >= lo[1] - 8 and ys.max() <= hi[1] + 8


def test_mask_separates_figure_from_background(tiny_synthetic):
    """Outside the mask the decoded video shows the scene's background; inside
    it, something else (the figure)."""
    meta = json.loads((tiny_synthetic / 'annotations.json').read_text())
    args = json.loads((tiny_synthetic / 'generation.json').read_text())
    kernel = np.ones((3, 3), np.uint8)
    for index, rec in enumerate(meta['videos']):
        frames, mask, _ = _load(tiny_synthetic, rec)
        scene = sample_scene(dict(index=index, label=rec['label'],
                                  identity=rec['identity']), args)
        diff = np.abs(frames.astype(float) - scene['background']).mean(-1)
        for f in range(len(mask)):
            m = mask[f].astype(np.uint8)
            outside = cv2.dilate(m, kernel) == 0
            inside = cv2.erode(m, kernel) == 1
            assert diff[f][outside].mean() < 8, (rec['filename'], f)
            if inside.any():
                assert diff[f][inside].mean() > 20, (rec['filename'], f)


def test_resume_regenerates_only_missing_files(tiny_synthetic, tmp_path):
    out = tmp_path / 'resume'
    generate_synthetic_dataset(str(out), progress=False, **TINY_SYNTHETIC)
    (out / 'videos' / 'v00005.mp4').unlink()
    (out / 'masks' / 'v00007.npz').unlink()
    summary = generate_synthetic_dataset(str(out), progress=False,
                                         **TINY_SYNTHETIC)
    assert summary['generated'] == 2
    assert _digest(out) == _digest(tiny_synthetic)


def test_rejects_other_arguments_in_same_folder(tiny_synthetic, tmp_path):
    out = tmp_path / 'conflict'
    generate_synthetic_dataset(str(out), progress=False, **TINY_SYNTHETIC)
    with pytest.raises(ValueError, match='--overwrite'):
        generate_synthetic_dataset(str(out), progress=False,
                                   **dict(TINY_SYNTHETIC, seed=99))


@pytest.mark.parametrize('bad', [dict(size=63), dict(size=32),
                                 dict(num_identities=11),
                                 dict(num_frames=4)])
def test_rejects_bad_arguments(tmp_path, bad):
    with pytest.raises(ValueError):
        generate_synthetic_dataset(str(tmp_path / 'x'), progress=False,
                                   **bad)


def test_overwrite_replaces_a_dataset_made_with_other_arguments(tmp_path):
    out = tmp_path / 'ow'
    small = dict(TINY_SYNTHETIC, num_frames=8, val_per_combo=0,
                 test_per_combo=0)
    generate_synthetic_dataset(str(out), progress=False, **small)
    bigger = dict(small, train_per_combo=2)
    summary = generate_synthetic_dataset(str(out), progress=False,
                                         overwrite=True, **bigger)
    assert summary['videos']['train'] == 2 * 8 * 2
    assert summary['generated'] == 2 * 8 * 2  # nothing reused
    assert len(list((out / 'videos').iterdir())) == 32


def test_lost_annotations_are_rebuilt_identically(tiny_synthetic, tmp_path):
    """Killed after the videos but before annotations.json: a re-run
    rebuilds every record (without re-rendering) byte for byte."""
    out = tmp_path / 'lost'
    generate_synthetic_dataset(str(out), progress=False, **TINY_SYNTHETIC)
    (out / 'annotations.json').unlink()
    (out / 'train.txt').unlink()
    video = out / 'videos' / 'v00003.mp4'
    before = video.stat().st_mtime_ns
    summary = generate_synthetic_dataset(str(out), progress=False,
                                         **TINY_SYNTHETIC)
    assert summary['generated'] == 0
    assert video.stat().st_mtime_ns == before  # not rendered again
    assert _digest(out) == _digest(tiny_synthetic)
