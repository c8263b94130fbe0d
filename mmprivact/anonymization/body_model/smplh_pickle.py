"""Read the official SMPL-H ``.pkl`` files without chumpy, and safely.

The SMPL-H pickles from the MANO site hold some arrays as ``chumpy.Ch``
objects, so ``smplx`` needs ``chumpy`` (unmaintained; it does not install
on current numpy) to load them, and ``pickle.load`` would run whatever the
file names. :func:`load_smplh_pickle` unpickles with an allow-list: numpy
arrays, scipy sparse matrices and stand-ins for chumpy's ``Ch`` (whose
pickled state is its ``__dict__``, with the array under ``x``). Anything
else in the file is refused. :func:`convert_smplh_pickle` writes the result
as the ``.npz`` that ``smplx`` loads.
"""
import hashlib
import os
import os.path as osp
import pickle
from typing import Any, Dict

import numpy as np

#: What the unpickler may build besides chumpy stand-ins: module -> names.
_ALLOWED = {
    'numpy': ('ndarray', 'dtype'),
    'numpy.core.multiarray': ('_reconstruct', 'scalar'),
    'numpy._core.multiarray': ('_reconstruct', 'scalar'),
    'copyreg': ('_reconstructor', ),
    '_codecs': ('encode', ),
    'builtins': ('object', 'set', 'frozenset', 'dict', 'list', 'tuple',
                 'complex', 'bytearray'),
}


class ChumpyStandIn:
    """Takes the place of any ``chumpy`` class while unpickling."""

    chumpy_class = 'chumpy.Ch'

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)


class _SafeUnpickler(pickle.Unpickler):

    def find_class(self, module: str, name: str) -> Any:
        if module == 'chumpy' or module.startswith('chumpy.'):
            return type(name, (ChumpyStandIn, ),
                        dict(chumpy_class=f'{module}.{name}'))
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module.startswith('scipy.sparse') and name.endswith(
                ('_matrix', '_array')):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f'refusing to load {module}.{name}: an SMPL-H model file holds '
            f'only numpy / scipy.sparse / chumpy arrays.')


def _to_array(key: str, value: Any, path: str) -> Any:
    if isinstance(value, ChumpyStandIn):
        if 'x' not in value.__dict__ or type(value).__name__ != 'Ch':
            raise ValueError(
                f'{path}: entry {key!r} is a {value.chumpy_class} expression, '
                f'not a plain chumpy array; convert this file with chumpy '
                f'installed (smplx/tools/clean_ch.py) and pass the .npz.')
        value = value.x
    if hasattr(value, 'toarray'):  # scipy.sparse (J_regressor)
        value = value.toarray()
    return np.asarray(value) if not isinstance(value, str) else value


def load_smplh_pickle(path: str) -> Dict[str, Any]:
    """The arrays of an official SMPL-H ``.pkl``, as numpy.

    Args:
        path (str): The ``.pkl`` (Python 2 pickles are read with
            ``encoding='latin1'``, as ``smplx`` does).

    Returns:
        dict[str, Any]: Every entry, chumpy and sparse arrays made dense
        numpy arrays (strings kept).

    Raises:
        pickle.UnpicklingError: If the file names anything but numpy,
            scipy.sparse or chumpy classes.
        ValueError: If an entry is a chumpy expression rather than an array.
    """
    with open(path, 'rb') as f:
        data = _SafeUnpickler(f, encoding='latin1').load()
    if not isinstance(data, dict):
        raise ValueError(f'{path}: expected a dict of arrays (an SMPL-H '
                         f'model), got {type(data).__name__}.')
    return {k: _to_array(k, v, path) for k, v in data.items()}


def convert_smplh_pickle(path: str, cache_dir: str) -> str:
    """Convert once and return the cached ``.npz`` for ``smplx``.

    Args:
        path (str): The official ``.pkl``.
        cache_dir (str): Folder for the converted file (named after the
            input's name and content hash, written atomically).

    Returns:
        str: Path of the ``.npz``.
    """
    with open(path, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    stem = osp.splitext(osp.basename(path))[0]
    target = osp.join(cache_dir, f'{stem}_{digest}.npz')
    if osp.isfile(target):
        return target
    arrays = load_smplh_pickle(path)
    os.makedirs(cache_dir, exist_ok=True)
    tmp = f'{target}.{os.getpid()}.tmp.npz'
    np.savez(tmp, **arrays)
    os.replace(tmp, target)
    return target
