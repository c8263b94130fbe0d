"""Shared fixtures: a tiny synthetic benchmark generated once per session."""
import socket

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


@pytest.fixture(scope='session')
def skeleton_anonymizer_cfg(tiny_synthetic):
    """The avatar pipeline on the tiny synthetic set's ground-truth joints
    and person masks, with a quick fitter: no model to run, deterministic.
    Tests copy it and override what they need."""
    return dict(
        type='AvatarAnonymizer',
        pose=dict(type='SyntheticJointsPose',
                  root=str(tiny_synthetic / 'joints')),
        segmenter=dict(type='MaskFileSegmenter',
                       root=str(tiny_synthetic / 'masks')),
        fitter=dict(type='JointFitter', window=4, iters=2, first_iters=6,
                    shape_iters=2))


@pytest.fixture
def skeleton_anonymizer_config_file(tmp_path, skeleton_anonymizer_cfg):
    """:func:`skeleton_anonymizer_cfg` as a config file for the tools."""
    path = tmp_path / 'skeleton_anonymizer.py'
    path.write_text(f'anonymizer = {skeleton_anonymizer_cfg!r}\n')
    return path


@pytest.fixture
def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago, for a process
    group's rendezvous (a fixed port collides with other jobs)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
