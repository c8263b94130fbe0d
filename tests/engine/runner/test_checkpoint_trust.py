"""Only checkpoints signed by the user's own runs are fully unpickled."""
import os
import stat

import numpy as np
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

from mmprivact.engine.runner import checkpoint_trust as trust


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """A fresh signing key per test, never the user's real one."""
    monkeypatch.setenv('MMPRIVACT_HOME', str(tmp_path / 'home'))


class _Payload:
    """A class weights_only=True refuses to unpickle."""


def _full_checkpoint(path):
    torch.save({'state_dict': {'w': torch.ones(2)},
                'meta': {'epoch': 3, 'np': np.float64(1.5)},
                'extra': _Payload()}, path)


def test_signed_checkpoint_loads_in_full(tmp_path):
    path = str(tmp_path / 'epoch_3.pth')
    _full_checkpoint(path)
    trust.sign_checkpoint(path)
    assert trust.is_trusted_checkpoint(path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['epoch'] == 3
    assert isinstance(ckpt['extra'], _Payload)


def test_unsigned_full_checkpoint_is_refused_with_the_fix(tmp_path):
    path = str(tmp_path / 'third_party.pth')
    _full_checkpoint(path)
    assert not trust.is_trusted_checkpoint(path)
    with pytest.raises(RuntimeError) as err:
        _load_checkpoint(path, map_location='cpu')
    msg = str(err.value)
    assert path in msg and 'trust_checkpoint.py' in msg
    assert 'third parties' in msg


def test_tampered_checkpoint_loses_trust(tmp_path):
    path = str(tmp_path / 'epoch_1.pth')
    _full_checkpoint(path)
    trust.sign_checkpoint(path)
    with open(path, 'ab') as f:
        f.write(b'\0')
    assert not trust.is_trusted_checkpoint(path)
    with pytest.raises(RuntimeError, match='Refusing'):
        _load_checkpoint(path, map_location='cpu')


def test_signature_from_another_key_is_rejected(tmp_path, monkeypatch):
    path = str(tmp_path / 'epoch_1.pth')
    _full_checkpoint(path)
    trust.sign_checkpoint(path)
    monkeypatch.setenv('MMPRIVACT_HOME', str(tmp_path / 'other_user'))
    assert not trust.is_trusted_checkpoint(path)


def test_plain_weights_load_without_signature(tmp_path):
    path = str(tmp_path / 'pretrained.pth')
    torch.save({'state_dict': {'conv.weight': torch.randn(2, 3)}}, path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['state_dict']['conv.weight'].shape == (2, 3)


def test_env_override_does_not_unlock_untrusted_files(tmp_path, monkeypatch):
    """TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD must not bypass the protection."""
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    path = str(tmp_path / 'third_party.pth')
    _full_checkpoint(path)
    with pytest.raises(RuntimeError, match='Refusing'):
        _load_checkpoint(path, map_location='cpu')


def test_key_is_private_to_the_user(tmp_path):
    path = str(tmp_path / 'x.pth')
    _full_checkpoint(path)
    trust.sign_checkpoint(path)
    key = os.path.join(os.environ['MMPRIVACT_HOME'], 'checkpoint.key')
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_local_scheme_is_ours():
    loader = CheckpointLoader._get_checkpoint_loader('/some/local/path.pth')
    assert loader.__module__ == trust.__name__


def test_stale_signatures_are_removed(tmp_path):
    path = str(tmp_path / 'epoch_1.pth')
    _full_checkpoint(path)
    sig = trust.sign_checkpoint(path)
    os.remove(path)
    trust.remove_stale_signatures(str(tmp_path))
    assert not os.path.exists(sig)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _load_checkpoint(str(tmp_path / 'nope.pth'), map_location='cpu')
