"""Keep ``torch.load``'s ``weights_only`` protection on, except for checkpoints
this user's own runs wrote.

Since torch 2.6 ``torch.load`` defaults to ``weights_only=True``, which cannot
unpickle MMEngine's full training checkpoints (message hub, numpy scalars,
...), so ``--resume`` fails out of the box. Switching the protection off
globally (``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``) would also unpickle arbitrary
code from third-party weights. Instead, every checkpoint written by
:class:`~mmprivact.engine.runner.TrustedCheckpointRunner` gets a sidecar
``<checkpoint>.sig`` holding an HMAC-SHA256 of the file under a secret key
private to this user (``$MMPRIVACT_HOME/checkpoint.key``, default
``~/.cache/mmprivact``). Only a file whose signature verifies is loaded with
``weights_only=False``; anything else (downloaded weights, an edited
checkpoint) is loaded with ``weights_only=True``.
"""
import hashlib
import hmac
import json
import os
import os.path as osp
import pickle
import secrets
from typing import Optional

import torch
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

SIGNATURE_SUFFIX = '.sig'
_KEY_FILE = 'checkpoint.key'
_CHUNK = 1 << 20


def _home() -> str:
    """Return the directory that holds this user's signing key."""
    return osp.expanduser(
        os.environ.get('MMPRIVACT_HOME', osp.join('~', '.cache', 'mmprivact')))


def _signing_key() -> bytes:
    """Load the user's signing key, creating it (mode 0600) on first use."""
    path = osp.join(_home(), _KEY_FILE)
    if not osp.isfile(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # Another process created it meanwhile.
            pass
        else:
            with os.fdopen(fd, 'w') as f:
                f.write(secrets.token_hex(32))
    with open(path) as f:
        return bytes.fromhex(f.read().strip())


def _file_hmac(filename: str) -> str:
    """Return the hex HMAC-SHA256 of a file's bytes under the user's key."""
    mac = hmac.new(_signing_key(), digestmod=hashlib.sha256)
    with open(filename, 'rb') as f:
        for chunk in iter(lambda: f.read(_CHUNK), b''):
            mac.update(chunk)
    return mac.hexdigest()


def sign_checkpoint(filename: str) -> str:
    """Mark a checkpoint file as written by this user's own run.

    Args:
        filename (str): Path of a local checkpoint file.

    Returns:
        str: Path of the written signature sidecar.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'Cannot sign checkpoint {filename!r}: no such file.')
    sig_path = filename + SIGNATURE_SUFFIX
    with open(sig_path, 'w') as f:
        json.dump({'algorithm': 'hmac-sha256',
                   'digest': _file_hmac(filename)}, f)
    return sig_path


def is_trusted_checkpoint(filename: str) -> bool:
    """Return whether ``filename`` carries a valid signature of this user.

    Args:
        filename (str): Path of a local checkpoint file.

    Returns:
        bool: True only when the sidecar exists and its HMAC matches the
        file's current bytes.
    """
    filename = osp.expanduser(filename)
    sig_path = filename + SIGNATURE_SUFFIX
    if not (osp.isfile(filename) and osp.isfile(sig_path)):
        return False
    try:
        with open(sig_path) as f:
            expected = json.load(f)['digest']
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return hmac.compare_digest(str(expected), _file_hmac(filename))


def remove_stale_signatures(directory: str) -> None:
    """Delete signature sidecars whose checkpoint no longer exists.

    Args:
        directory (str): Folder to clean (MMEngine removes old checkpoints
            under ``max_keep_ckpts`` but not our sidecars).
    """
    if not osp.isdir(directory):
        return
    for name in os.listdir(directory):
        if name.endswith(SIGNATURE_SUFFIX):
            target = osp.join(directory, name[:-len(SIGNATURE_SUFFIX)])
            if not osp.exists(target):
                os.remove(osp.join(directory, name))


def load_checkpoint_file(filename: str,
                         map_location: Optional[object] = None) -> dict:
    """Load a local checkpoint, unpickling freely only if it is trusted.

    Args:
        filename (str): Local checkpoint path.
        map_location: Same as :func:`torch.load`.

    Returns:
        dict: The loaded checkpoint.

    Raises:
        FileNotFoundError: When the file does not exist.
        RuntimeError: When an untrusted file needs full unpickling; the
            message explains how to proceed.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    if is_trusted_checkpoint(filename):
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as err:
        raise RuntimeError(
            f'Refusing to fully unpickle {filename!r}: it is not signed as a '
            'checkpoint written by one of your own runs, and it contains '
            'objects that torch.load(weights_only=True) does not allow '
            f'({str(err).splitlines()[0]}). If it is a checkpoint of yours '
            'written by a plain MMEngine Runner or on another machine, and '
            'you trust it, sign it with '
            f'`python tools/misc/trust_checkpoint.py {filename}` and retry. '
            'Never do this for files from third parties: unpickling can run '
            'arbitrary code.') from err


def register_trusted_local_loader() -> None:
    """Route MMEngine's local-path checkpoint loading through our loader."""

    def load_from_local(filename, map_location):  # name used in MMEngine logs
        return load_checkpoint_file(filename, map_location)

    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)
    print_log('mmprivact: local checkpoints load with weights_only=True '
              'unless signed by your own run.', logger='current',
              level=10)
