"""Official-style SMPL-H pickles (chumpy arrays, sparse J_regressor) load
without chumpy, and nothing else in a pickle gets built."""
import pickle
import sys
import types

import numpy as np
import pytest
import scipy.sparse
import torch

from mmprivact.anonymization.body_model import SMPLHBodyModel
from mmprivact.anonymization.body_model.smplh_pickle import (
    convert_smplh_pickle, load_smplh_pickle)


class _FakeCh:
    """Pickles the way chumpy's Ch does: its __dict__, array under 'x'."""

    def __init__(self, x):
        self.x = np.asarray(x, np.float64)
        self.dterms = ['x']


@pytest.fixture
def fake_chumpy(monkeypatch):
    """A module importable as chumpy.ch while pickling (removed after)."""
    ch = types.ModuleType('chumpy.ch')
    _FakeCh.__module__, _FakeCh.__qualname__ = 'chumpy.ch', 'Ch'
    _FakeCh.__name__ = 'Ch'
    ch.Ch = _FakeCh
    monkeypatch.setitem(sys.modules, 'chumpy', types.ModuleType('chumpy'))
    monkeypatch.setitem(sys.modules, 'chumpy.ch', ch)
    return _FakeCh


def _official_style_pickle(body_cache, path, ch_class):
    """The default body written the way the MANO site's SMPL-H pickles are:
    chumpy arrays, a sparse J_regressor, protocol 2."""
    with np.load(body_cache / 'smplh' / 'SMPLH_NEUTRAL.npz',
                 allow_pickle=True) as npz:
        data = {k: npz[k] for k in npz.files}
    data['shapedirs'] = ch_class(data['shapedirs'])
    data['v_template'] = ch_class(data['v_template'])
    data['J_regressor'] = scipy.sparse.csc_matrix(data['J_regressor'])
    with open(path, 'wb') as f:
        pickle.dump(data, f, protocol=2)
    return data


def test_official_style_pickle_loads_like_the_npz(tmp_path, body_cache,
                                                  body_model, fake_chumpy):
    pkl = tmp_path / 'SMPLH_NEUTRAL.pkl'
    _official_style_pickle(body_cache, pkl, fake_chumpy)
    # chumpy is not importable when the model is read
    sys.modules.pop('chumpy.ch')
    sys.modules.pop('chumpy')
    arrays = load_smplh_pickle(str(pkl))
    assert isinstance(arrays['shapedirs'], np.ndarray)
    assert isinstance(arrays['J_regressor'], np.ndarray)
    model = SMPLHBodyModel(model_path=str(pkl),
                           cache_dir=str(tmp_path / 'cache'))
    assert model.model_file == str(pkl)
    args = (torch.randn(2, 10) * 0.5, torch.randn(2, 3) * 0.3,
            torch.randn(2, 63) * 0.3, torch.randn(2, 3))
    with torch.no_grad():
        v1, j1 = model(*args)
        v2, j2 = body_model(*args)
    assert torch.allclose(v1, v2, atol=1e-5)
    assert torch.allclose(j1, j2, atol=1e-5)
    # converted once, then reused
    again = convert_smplh_pickle(str(pkl), str(tmp_path / 'cache' /
                                               'converted'))
    assert again.endswith('.npz') and len(
        list((tmp_path / 'cache' / 'converted').iterdir())) == 1


class _Evil:

    def __reduce__(self):
        return (print, ('this must never run', ))


def test_a_pickle_naming_other_code_is_refused(tmp_path):
    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps({'v_template': _Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match='refusing.*print'):
        load_smplh_pickle(str(path))


def test_chumpy_expressions_are_explained(tmp_path, fake_chumpy):
    sel = type('Select', (), {})
    sel.__module__ = 'chumpy.reordering'
    sys.modules['chumpy.reordering'] = types.ModuleType('chumpy.reordering')
    sys.modules['chumpy.reordering'].Select = sel
    expr = sel()
    expr.a, expr.idxs = np.zeros(3), np.arange(2)
    path = tmp_path / 'expr.pkl'
    try:
        path.write_bytes(pickle.dumps({'shapedirs': expr}, protocol=2))
    finally:
        sys.modules.pop('chumpy.reordering')
    with pytest.raises(ValueError, match="'shapedirs'.*clean_ch"):
        load_smplh_pickle(str(path))
