"""Shared fixtures: a tiny synthetic benchmark generated once per session."""
import pytest

import mmprivact  # noqa: F401  (MMAction2 import fix before any test imports)
from mmprivact.datasets.synthetic import generate_synthetic_dataset

#: Small but complete: every action x 2 identities in each split.
TINY_SYNTHETIC = dict(seed=3, size=64, num_frames=16, train_per_combo=1,
                      val_per_combo=1, test_per_combo=1, num_identities=2)


@pytest.fixture(scope='session')
def tiny_synthetic(tmp_path_factory):
    """Path of a tiny synthetic dataset (48 videos, 64x64, 16 frames)."""
    out = tmp_path_factory.mktemp('synthetic') / 'data'
    generate_synthetic_dataset(str(out), progress=False, **TINY_SYNTHETIC)
    return out
