"""VISPR adapter on a tiny fake copy of the released layout."""
import json

import cv2
import numpy as np
import pytest

from mmprivact.evaluation.privacy_attribute_sets.vispr import (
    VISPR7, VISPR_ATTRIBUTES, attribute_groups, load_split)

#: (image id, labels) of the fake train split, in sorted id order.
TRAIN = [
    ('2017_10000001', ['a4_gender', 'a17_color', 'a9_face_complete']),
    ('2017_10000002', ['a0_safe']),
    ('2017_10000003', ['a10_face_partial', 'a65_rel_social',
                       'a73_landmark']),
]


def _write(root, split, image_id, labels, image, image_path=True):
    img_dir = root / 'images' / f'{split}2017'
    ann_dir = root / 'annotations' / f'{split}2017'
    img_dir.mkdir(parents=True, exist_ok=True)
    ann_dir.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(img_dir / f'{image_id}.jpg'), image)
    ann = dict(id=image_id, labels=labels)
    if image_path:
        ann['image_path'] = f'images/{split}2017/{image_id}.jpg'
    (ann_dir / f'{image_id}.json').write_text(json.dumps(ann))


@pytest.fixture
def vispr_root(tmp_path):
    # 16 x 48 BGR image: left red, middle green, right blue thirds (16 px).
    wide = np.zeros((16, 48, 3), np.uint8)
    wide[:, :16, 2] = 255
    wide[:, 16:32, 1] = 255
    wide[:, 32:, 0] = 255
    for k, (image_id, labels) in enumerate(TRAIN):
        _write(tmp_path, 'train', image_id, labels, wide,
               image_path=k != 1)  # one without image_path: fallback
    _write(tmp_path, 'test', '2017_20000001', ['a12_semi_nudity'],
           np.full((20, 20), 128, np.uint8))  # a grey image
    return tmp_path


def test_vispr7_targets_and_centre_crop(vispr_root):
    split = load_split(str(vispr_root), 'train', size=8)
    assert split.attribute_names == list(VISPR7)
    assert split.frames.shape == (3, 8, 8, 3) and not split.single_label
    np.testing.assert_array_equal(split.group, [0, 1, 2])
    expected = np.zeros((3, 7), np.float32)
    expected[0, [VISPR7.index(a) for a in
                 ('a4_gender', 'a17_color', 'a9_face_complete')]] = 1
    expected[2, [VISPR7.index('a10_face_partial'),
                 VISPR7.index('a65_rel_social')]] = 1
    np.testing.assert_array_equal(split.targets, expected)
    # Centre square of the wide image is the green third, read as RGB.
    mean = split.frames[0].reshape(-1, 3).mean(0)
    assert mean[1] > 200 and mean[0] < 60 and mean[2] < 60


def test_pa_hmdb51_groups_all_and_custom_lists(vispr_root):
    split = load_split(str(vispr_root), 'train', size=8,
                       attributes='pa_hmdb51')
    assert split.attribute_names == ['skin_color', 'face', 'gender',
                                     'nudity', 'relationship']
    np.testing.assert_array_equal(
        split.targets, [[1, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]])
    split = load_split(str(vispr_root), 'train', size=8, attributes='all')
    assert len(VISPR_ATTRIBUTES) == 68 and split.targets.shape == (3, 68)
    assert split.targets[1, VISPR_ATTRIBUTES.index('a0_safe')] == 1
    assert split.targets[2, VISPR_ATTRIBUTES.index('a73_landmark')] == 1
    assert split.targets.sum() == 7
    split = load_split(str(vispr_root), 'train', size=8, max_items=2,
                       attributes=['a73_landmark', 'a0_safe'])
    np.testing.assert_array_equal(split.targets, [[0, 0], [0, 1]])
    with pytest.raises(ValueError, match='a999_nope'):
        attribute_groups(['a999_nope'])


def test_grey_image_and_test_split(vispr_root):
    split = load_split(str(vispr_root), 'test', size=10)
    assert split.frames.shape == (1, 10, 10, 3)
    assert abs(int(split.frames[0, 5, 5, 0]) - 128) <= 2
    assert split.targets[0, VISPR7.index('a12_semi_nudity')] == 1


def test_layout_errors(vispr_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='annotations/val2017'):
        load_split(str(vispr_root), 'val')
    (vispr_root / 'images' / 'test2017' / '2017_20000001.jpg').unlink()
    with pytest.raises(FileNotFoundError, match='2017_20000001.jpg'):
        load_split(str(vispr_root), 'test')
