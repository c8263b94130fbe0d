"""The fresh attacker learns real signal, and f_A controls what it sees."""
from functools import partial

import numpy as np
import pytest
import torch
import torch.nn as nn

from mmprivact.evaluation import (PrivacyAttacker, PrivacyAttributeSplit,
                                  anonymize_frames, train_and_score)

#: BGR-free colours of the three attributes' squares (RGB).
COLOURS = np.array([[230, 30, 30], [30, 230, 30], [30, 30, 230]], np.uint8)


def blobs(n, seed, single_label=False, size=32):
    """Grey-noise frames; attribute k present = a square of colour k at a
    random place. Single label: exactly one square, the class."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(90, 160, size=(n, size, size, 3), dtype=np.uint8)
    if single_label:
        labels = (np.arange(n) // 2) % 3  # balanced, constant per group
        targets = np.eye(3, dtype=np.float32)[labels]
    else:
        targets = (rng.random((n, 3)) < 0.5).astype(np.float32)
    for i in range(n):
        for k in np.flatnonzero(targets[i]):
            y, x = rng.integers(0, size - 8, 2)
            frames[i, y:y + 8, x:x + 8] = COLOURS[k]
    return PrivacyAttributeSplit(frames=frames, targets=targets,
                                 attribute_names=['red', 'green', 'blue'],
                                 single_label=single_label,
                                 group=np.arange(n) // 2)


def grey(x):
    return torch.full_like(x, 0.5)


@pytest.fixture(scope='module')
def multi():
    return blobs(160, 0), blobs(60, 1)


@pytest.fixture(scope='module')
def raw_result(multi):
    return train_and_score(*multi, epochs=12, batch_size=32, seed=0)


def test_learns_multilabel_attributes_well_above_chance(raw_result):
    m = raw_result['metrics']
    assert raw_result['scores'].shape == (60, 3)
    assert np.all((raw_result['scores'] >= 0) & (raw_result['scores'] <= 1))
    assert 0.4 < m['chance_cMAP'] < 0.65
    assert m['cMAP'] > 0.9 and m['macro_F1'] > 0.8
    assert 'top1' not in m and raw_result['n_train'] == 160


def test_identity_f_a_equals_raw_and_is_deterministic(multi, raw_result):
    again = train_and_score(*multi, epochs=12, batch_size=32, seed=0,
                            transform=partial(anonymize_frames,
                                              f_a=nn.Identity()))
    np.testing.assert_allclose(again['scores'], raw_result['scores'],
                               atol=1e-6)
    assert again['metrics']['cMAP'] == pytest.approx(
        raw_result['metrics']['cMAP'])


def test_constant_f_a_brings_the_attacker_to_chance(multi):
    res = train_and_score(*multi, epochs=12, batch_size=32, seed=0,
                          transform=partial(anonymize_frames, f_a=grey))
    # Identical inputs: identical scores, so AP = positive rate.
    assert res['scores'].std(0).max() < 1e-5
    m = res['metrics']
    assert m['cMAP'] == pytest.approx(m['chance_cMAP'], abs=1e-6)


def test_single_label_top1_and_chance():
    train, test = blobs(150, 2, single_label=True), blobs(60, 3, True)
    res = train_and_score(train, test, epochs=12, batch_size=32, seed=1)
    m = res['metrics']
    np.testing.assert_allclose(res['scores'].sum(1), 1.0, rtol=1e-5)
    assert m['chance_top1'] == pytest.approx(1 / 3)
    assert m['top1'] > 0.85 and m['video_top1'] > 0.85
    res = train_and_score(train, test, epochs=2, batch_size=32, seed=1,
                          transform=partial(anonymize_frames, f_a=grey))
    assert res['metrics']['top1'] == pytest.approx(1 / 3)


def test_resnet18_attacker_runs_from_scratch():
    train, test = blobs(12, 4), blobs(5, 5)
    res = PrivacyAttacker(arch='resnet18', epochs=1, batch_size=6,
                          seed=0).train_and_score(train, test)
    assert res['scores'].shape == (5, 3)
    assert np.all(np.isfinite(res['scores']))
    assert res['settings']['arch'] == 'resnet18'


def test_anonymize_frames_contract():
    frames = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 3),
                                               dtype=np.uint8)
    np.testing.assert_array_equal(
        anonymize_frames(frames, nn.Identity(), batch_size=2), frames)
    net = nn.Sequential(nn.Conv2d(3, 3, 1), nn.Sigmoid()).train()
    out = anonymize_frames(frames, net)
    assert out.dtype == np.uint8 and out.shape == frames.shape
    assert net.training  # mode restored
    with pytest.raises(ValueError, match='shape'):
        anonymize_frames(frames, lambda x: x[:, :, :4])
    with pytest.raises(ValueError, match='uint8'):
        anonymize_frames(frames.astype(np.float32), nn.Identity())


def test_bad_arguments():
    with pytest.raises(ValueError, match='arch'):
        PrivacyAttacker(arch='vit')
    a, b = blobs(4, 0), blobs(4, 1, single_label=True)
    with pytest.raises(ValueError, match='different attributes'):
        PrivacyAttacker(epochs=1).train_and_score(a, b)
