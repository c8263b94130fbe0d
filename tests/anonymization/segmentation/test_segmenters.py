import os.path as osp

import numpy as np
import pytest

from mmprivact.anonymization.segmentation import (MaskFileSegmenter,
                                                  build_segmenter)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
MASKS = osp.join(ROOT, 'data', 'synthetic', 'masks', 'v00000.npz')

FACE = (slice(80, 160), slice(180, 260))  # Around her nose at (222, 128).
BACKGROUND = (slice(0, 60), slice(400, 512))  # Top right: wall / shuttle.


@pytest.fixture(scope='module')
def astronaut():
    return pytest.importorskip('skimage.data').astronaut()[None]


@pytest.mark.parametrize('cfg', [
    dict(type='MediaPipeSelfieSegmenter', threshold=0.5),
    dict(type='MediaPipePoseSegmenter', threshold=0.5),
])
def test_mediapipe_masks_cover_the_person(astronaut, cfg):
    pytest.importorskip('mediapipe')
    mask = build_segmenter(cfg)(astronaut)
    assert mask.shape == (1, 512, 512) and mask.dtype == np.bool_
    assert mask[0][FACE].mean() > 0.95
    assert mask[0][BACKGROUND].mean() < 0.02
    assert 0.2 < mask.mean() < 0.8


def test_pose_segmenter_reuses_a_pose_result(astronaut):
    pytest.importorskip('mediapipe')
    seg = build_segmenter(dict(type='MediaPipePoseSegmenter', threshold=0.5))
    seq = seg.estimator(astronaut)
    np.testing.assert_array_equal(seg.from_pose(seq), seq.segmentation > 0.5)
    assert seg.from_pose(seq)[0][FACE].mean() > 0.95


def test_mask_file_segmenter(tmp_path):
    masks = np.zeros((2, 6, 8), np.uint8)
    masks[:, 2:4, 3:6] = 255
    np.savez(tmp_path / 'clip.npz', person=masks)
    seg = build_segmenter(
        dict(type='MaskFileSegmenter', key='person', root=str(tmp_path)))
    frames = np.zeros((2, 6, 8, 3), np.uint8)
    out = seg(frames, '/videos/clip.mp4')
    np.testing.assert_array_equal(out, masks > 0)
    with pytest.raises(ValueError, match='expected'):
        seg(frames[:1], 'clip')
    with pytest.raises(KeyError, match='has no array'):
        MaskFileSegmenter(key='mask')(frames, str(tmp_path / 'clip.npz'))
    with pytest.raises(ValueError, match='needs source'):
        seg(frames)


@pytest.mark.skipif(not osp.isfile(MASKS),
                    reason='data/synthetic/masks/v00000.npz not generated in '
                    'this checkout')
def test_synthetic_dataset_masks():
    frames = np.zeros((32, 96, 96, 3), np.uint8)
    mask = MaskFileSegmenter()(frames, MASKS)
    assert mask.shape == (32, 96, 96) and mask.any(axis=(1, 2)).all()


def test_bad_threshold():
    pytest.importorskip('mediapipe')
    with pytest.raises(ValueError, match='threshold must lie'):
        build_segmenter(dict(type='MediaPipeSelfieSegmenter', threshold=1.5))
