import pytest

from mmprivact.anonymization.body_model import (DefaultBodyGenerator,
                                                SMPLHBodyModel)


@pytest.fixture(scope='session')
def body_cache(tmp_path_factory):
    """A freshly generated default body in a private cache folder
    (``<root>/smplh/SMPLH_NEUTRAL.npz``, smplx's folder layout)."""
    root = tmp_path_factory.mktemp('body_models')
    DefaultBodyGenerator(str(root / 'smplh')).ensure()
    return root


@pytest.fixture(scope='session')
def body_model(body_cache):
    return SMPLHBodyModel(cache_dir=str(body_cache / 'smplh'))
