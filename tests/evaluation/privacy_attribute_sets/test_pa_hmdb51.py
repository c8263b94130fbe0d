"""PA-HMDB51 adapter on a tiny fake release (8-frame videos)."""
import json

import numpy as np
import pytest

from mmprivact.anonymization.video_io import write_video
from mmprivact.evaluation.privacy_attribute_sets.pa_hmdb51 import (
    PA_HMDB51_ATTRIBUTES, frame_targets, load_split, split_videos)

#: A record in the released format: ranges [start, end, level].
RECORD = {
    'skin_color': [[0, 7, 1]],
    'face': [[0, 3, 0], [4, 7, 2]],         # no face, then complete face
    'gender': [[0, 7, [1, 2]]],             # two people: a list of levels
    'nudity': [[0, 7, 0]],
    'relationship': [[0, 5, 1], [6, 7, 0]],
    'review': True, 'note': '',
}
#: Per frame: skin_color, face, gender, nudity, relationship.
EXPECTED = np.array([[1, 0, 1, 0, 1]] * 4 + [[1, 1, 1, 0, 1]] * 2
                    + [[1, 1, 1, 0, 0]] * 2, np.float32)
ACTIONS = {'brush_hair': ['a_brush_hair_0.avi', 'b_brush_hair_1.avi',
                          'c_brush_hair_2.avi'],
           'clap': ['d_clap_0.avi', 'e_clap_1.avi', 'f_clap_2.avi']}


def _video(value_offset):
    """8 frames whose grey level encodes the frame index (20 * i)."""
    return np.stack([np.full((32, 32, 3), value_offset + 20 * i, np.uint8)
                     for i in range(8)])


@pytest.fixture
def pa_root(tmp_path):
    ann_dir = tmp_path / 'PrivacyAttributes'
    ann_dir.mkdir()
    for action, videos in ACTIONS.items():
        (ann_dir / f'{action}.json').write_text(
            json.dumps({v: RECORD for v in videos}))
        for video in videos:
            write_video(str(tmp_path / 'videos' / action / video),
                        _video(40), 8.0)
    return tmp_path


def test_frame_targets_binarize_levels():
    got = np.stack([frame_targets(RECORD, f) for f in range(8)])
    np.testing.assert_array_equal(got, EXPECTED)
    assert frame_targets(RECORD, 99).sum() == 0  # outside every range


def test_all_frames_of_all_videos(pa_root):
    split = load_split(str(pa_root), 'all', size=16, frames_per_video=8)
    assert split.attribute_names == list(PA_HMDB51_ATTRIBUTES)
    assert split.frames.shape == (6 * 8, 16, 16, 3)
    np.testing.assert_array_equal(split.targets, np.tile(EXPECTED, (6, 1)))
    np.testing.assert_array_equal(split.group, np.repeat(np.arange(6), 8))
    # The decoded frames are the annotated ones, in order (grey 40+20i).
    levels = split.frames[:8].reshape(8, -1).mean(1)
    np.testing.assert_allclose(levels, 40 + 20 * np.arange(8), atol=4)


def test_sampling_skips_frames_beyond_the_video(pa_root):
    long = dict(RECORD, nudity=[[0, 20, 1]])  # ranges past the 8 frames
    (pa_root / 'PrivacyAttributes' / 'clap.json').write_text(
        json.dumps({v: long for v in ACTIONS['clap']}))
    split = load_split(str(pa_root), 'all', size=8, frames_per_video=3)
    assert len(split) == 6 * 3
    clap = split.targets[split.group >= 3]
    assert np.all(clap[:, 3] == 1)  # nudity now present
    levels = split.frames[split.group == 3].reshape(3, -1).mean(1)
    np.testing.assert_allclose(levels, 40 + 20 * np.array([0, 4, 7]),
                               atol=4)  # evenly spaced within 0..7


def test_default_split_is_per_action_and_disjoint(pa_root):
    keys = [(a, v) for a, vs in ACTIONS.items() for v in vs]
    train = split_videos(keys, 'train')
    test = split_videos(keys, 'test')
    assert set(train).isdisjoint(test) and set(train) | set(test) == \
        set(keys)
    assert {a for a, _ in test} == set(ACTIONS)  # every action held out
    assert test == split_videos(keys, 'test')  # deterministic
    split = load_split(str(pa_root), 'test', size=8, frames_per_video=2)
    assert len(split) == 2 * len(test)


def test_test_list_and_merged_json(pa_root, tmp_path):
    names = tmp_path / 'test_names.txt'
    names.write_text('b_brush_hair_1.avi\ne_clap_1.avi\n')
    test = load_split(str(pa_root), 'test', size=8, frames_per_video=1,
                      test_list=str(names))
    train = load_split(str(pa_root), 'train', size=8, frames_per_video=1,
                       test_list=str(names))
    assert (len(test), len(train)) == (2, 4)
    merged = tmp_path / 'PA_HMDB51.json'
    merged.write_text(json.dumps({a: {v: RECORD for v in vs}
                                  for a, vs in ACTIONS.items()}))
    split = load_split(str(pa_root), 'all', size=8, frames_per_video=8,
                       annotations=str(merged), max_items=2)
    np.testing.assert_array_equal(split.targets, np.tile(EXPECTED, (2, 1)))


def test_layout_errors(pa_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='PrivacyAttributes'):
        load_split(str(tmp_path / 'videos'), 'all')
    (pa_root / 'videos' / 'clap' / 'd_clap_0.avi').unlink()
    with pytest.raises(FileNotFoundError, match='d_clap_0.avi'):
        load_split(str(pa_root), 'all', size=8)
    with pytest.raises(ValueError, match='split'):
        load_split(str(pa_root), 'val')
