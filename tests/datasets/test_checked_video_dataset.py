"""CheckedVideoDataset names the missing or corrupt file and the fix."""
import os
import shutil

import pytest
from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS

PIPELINE = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=1, num_clips=1),
    dict(type='DecordDecode'),
]


def _build(root, **kwargs):
    init_default_scope('mmaction')
    return DATASETS.build(dict(
        type='CheckedVideoDataset', data_root=str(root), ann_file='train.txt',
        data_prefix=dict(video=''), pipeline=PIPELINE,
        data_doc='docs/synthetic_dataset.md', **kwargs))


@pytest.fixture
def copy_of_synthetic(tiny_synthetic, tmp_path):
    root = tmp_path / 'data'
    shutil.copytree(tiny_synthetic, root)
    return root


def test_loads_real_videos(tiny_synthetic):
    data = _build(tiny_synthetic)[0]
    assert data['imgs'][0].shape == (64, 64, 3)


def test_missing_annotation_list_names_path_and_doc(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        _build(tmp_path)
    assert str(tmp_path / 'train.txt') in str(err.value)
    assert 'docs/synthetic_dataset.md' in str(err.value)


def test_missing_video_is_named(copy_of_synthetic):
    ds = _build(copy_of_synthetic)
    victim = ds.get_data_info(0)['filename']
    os.remove(victim)
    with pytest.raises(RuntimeError) as err:
        ds[0]
    assert victim in str(err.value) and 'does not exist' in str(err.value)


def test_corrupt_video_is_named(copy_of_synthetic):
    ds = _build(copy_of_synthetic)
    victim = ds.get_data_info(1)['filename']
    with open(victim, 'wb') as f:
        f.write(b'this is not an mp4 file')
    with pytest.raises(RuntimeError) as err:
        ds[1]
    assert victim in str(err.value) and 'Failed to load video' in str(err.value)
