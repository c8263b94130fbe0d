"""The frame attribute probe learns identity, and only from real signal."""
import numpy as np
import pytest

from mmprivact.datasets.synthetic import generate_synthetic_dataset
from mmprivact.evaluation import (FrameAttributeProbe, load_labelled_frames,
                                  train_attribute_probe)


@pytest.fixture(scope='module')
def two_identities(tmp_path_factory):
    """Enough videos per identity that backgrounds cannot be memorised."""
    root = tmp_path_factory.mktemp('probe')
    generate_synthetic_dataset(str(root), seed=5, size=64, num_frames=8,
                               train_per_combo=6, val_per_combo=0,
                               test_per_combo=2, num_identities=2,
                               progress=False)
    return root


def _splits(root):
    return [load_labelled_frames(str(root / f'{s}_identity.txt'), str(root),
                                 frames_per_video=3, size=64)
            for s in ('train', 'test')]


def test_probe_reads_identity_from_frames(two_identities):
    train, test = _splits(two_identities)
    assert train[0].shape == (3 * 96, 64, 64, 3)
    res = train_attribute_probe(train, test, 2, epochs=20, batch_size=32,
                                progress=False)
    assert res['video_top1'] >= 0.9 and res['frame_top1'] >= 0.85


def test_probe_cannot_learn_labels_unrelated_to_appearance(two_identities):
    """Labels balanced within each identity (every other video of each
    identity) carry no appearance signal: the probe stays near chance."""
    train, test = _splits(two_identities)

    def unrelated(frames, labels, videos):
        fake = np.zeros_like(labels)
        for ident in np.unique(labels):
            vids = np.unique(videos[labels == ident])
            for k, v in enumerate(vids):
                fake[videos == v] = k % 2
        return frames, fake, videos

    res = train_attribute_probe(unrelated(*train), unrelated(*test), 2,
                                epochs=20, batch_size=32, progress=False)
    assert res['video_top1'] < 0.75


def test_missing_list_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        load_labelled_frames(str(tmp_path / 'nope.txt'), str(tmp_path))


def test_model_shapes():
    model = FrameAttributeProbe(5, width=4)
    x = FrameAttributeProbe.to_input(np.zeros((2, 32, 32, 3), np.uint8))
    assert model(x).shape == (2, 5)
