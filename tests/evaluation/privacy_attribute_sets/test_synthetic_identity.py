"""Synthetic-set adapter: identity one-hots and appearance multi-hots."""
import json

import numpy as np
import pytest

from mmprivact.evaluation.privacy_attribute_sets import (ADAPTERS,
                                                         PrivacyAttributeSplit)
from mmprivact.evaluation.privacy_attribute_sets.synthetic_identity import (
    APPEARANCE_ATTRIBUTES, appearance_vector, load_split)


def _rows(root, split):
    return [line.split() for line in
            (root / f'{split}_identity.txt').read_text().splitlines()]


def test_identity_targets_shapes_and_groups(tiny_synthetic):
    assert ADAPTERS['synthetic'] is load_split
    rows = _rows(tiny_synthetic, 'test')
    split = load_split(str(tiny_synthetic), 'test', size=32,
                       frames_per_video=3)
    assert isinstance(split, PrivacyAttributeSplit) and split.single_label
    assert split.frames.shape == (3 * len(rows), 32, 32, 3)
    assert split.attribute_names == (tiny_synthetic /
                                     'identities.txt').read_text().split()
    np.testing.assert_array_equal(split.group, np.repeat(np.arange(
        len(rows)), 3))
    expected = np.repeat([int(r[1]) for r in rows], 3)
    np.testing.assert_array_equal(split.targets.argmax(1), expected)
    assert np.all(split.targets.sum(1) == 1)
    # Frames are real decoded content, not blank.
    assert split.frames.std() > 10


def test_max_items_and_splits_differ(tiny_synthetic):
    train = load_split(str(tiny_synthetic), 'train', size=16,
                       frames_per_video=1, max_items=5)
    test = load_split(str(tiny_synthetic), 'test', size=16,
                      frames_per_video=1, max_items=5)
    assert len(train) == len(test) == 5
    assert not np.array_equal(train.frames, test.frames)


def test_appearance_attributes(tiny_synthetic):
    split = load_split(str(tiny_synthetic), 'train', size=16,
                       frames_per_video=1, attributes='appearance')
    assert not split.single_label
    assert split.attribute_names == APPEARANCE_ATTRIBUTES
    ann = json.loads((tiny_synthetic / 'annotations.json').read_text())
    for i, (_, ident) in enumerate(_rows(tiny_synthetic, 'train')):
        np.testing.assert_array_equal(
            split.targets[i], appearance_vector(ann['identities'][int(ident)]))
    # Exactly one pattern and one hair bucket per frame.
    assert np.all(split.targets[:, :5].sum(1) == 1)
    assert np.all(split.targets[:, 5:8].sum(1) == 1)


def test_appearance_vector_rules():
    ident = dict(pattern='checks', hair=[150, 150, 150], build=1.2,
                 height=1.9)
    on = {n for n, v in zip(APPEARANCE_ATTRIBUTES, appearance_vector(ident))
          if v}
    assert on == {'pattern_checks', 'hair_mid', 'build_broad', 'tall'}
    ident.update(hair=[20, 20, 20], build=0.9, height=1.6)
    on = {n for n, v in zip(APPEARANCE_ATTRIBUTES, appearance_vector(ident))
          if v}
    assert on == {'pattern_checks', 'hair_dark', 'build_slim'}


def test_errors_name_the_missing_file(tmp_path, tiny_synthetic):
    with pytest.raises(FileNotFoundError, match='generate_synthetic'):
        load_split(str(tmp_path / 'nope'), 'train')
    with pytest.raises(FileNotFoundError, match='val_identity.txt'):
        load_split(str(tmp_path), 'val')
    with pytest.raises(ValueError, match='attributes'):
        load_split(str(tiny_synthetic), 'train', attributes='hair')
