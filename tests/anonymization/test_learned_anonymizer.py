"""LearnedAnonymizer: a trained f_A behind the batch tool's anonymizer
interface (frames, all-False privacy mask, stage times)."""
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmprivact.anonymization import build_anonymizer
from mmprivact.anonymization.anonymizer_registry import ANONYMIZERS
from mmprivact.models.anonymizers import (UNetAnonymizer,
                                          load_trained_anonymizer)

F_A = dict(type='UNetAnonymizer', encoder='conv',
           encoder_channels=(8, 8, 8, 8, 8), decoder='unet',
           decoder_channels=(8, 8, 8, 8, 8))


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A penalty-minimax checkpoint holding a (randomly initialised) f_A."""
    torch.manual_seed(1)
    model = UNetAnonymizer(**{k: v for k, v in F_A.items() if k != 'type'})
    cfg = Config(dict(model=dict(type='PenaltyMinimaxRecognizer',
                                 anonymizer=F_A)))
    path = tmp_path_factory.mktemp('f_a') / 'epoch_1.pth'
    torch.save(dict(state_dict={'anonymizer.' + k: v
                                for k, v in model.state_dict().items()},
                    meta=dict(cfg=cfg.pretty_text)), str(path))
    return str(path)


@pytest.fixture(scope='module')
def frames():
    return np.random.RandomState(1).randint(0, 256, (7, 36, 44, 3),
                                            dtype=np.uint8)


def test_built_from_config_matches_f_a(checkpoint, frames):
    anonymizer = build_anonymizer(dict(type='LearnedAnonymizer',
                                       checkpoint=checkpoint))
    assert 'LearnedAnonymizer' in ANONYMIZERS
    out = anonymizer(frames, 25.0, source='clip.mp4', seed=3)
    assert out.frames.shape == frames.shape and out.frames.dtype == np.uint8
    assert out.non_sensitive.shape == frames.shape[:3]
    assert out.non_sensitive.dtype == np.bool_ and not out.non_sensitive.any()
    assert set(out.stage_seconds) == {'anonymize'}
    assert out.stage_seconds['anonymize'] > 0
    model = load_trained_anonymizer(checkpoint)
    x = torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad():
        y = model(x)
    expected = (y * 255).round().clamp(0, 255).byte().permute(0, 2, 3, 1)
    np.testing.assert_array_equal(out.frames, expected.numpy())


def test_batches_and_explicit_config(checkpoint, frames):
    whole = build_anonymizer(dict(type='LearnedAnonymizer',
                                  checkpoint=checkpoint,
                                  batch_size=64))(frames).frames
    batched = build_anonymizer(dict(type='LearnedAnonymizer',
                                    checkpoint=checkpoint, anonymizer=F_A,
                                    batch_size=3))(frames).frames
    assert batched.shape == frames.shape
    assert np.abs(batched.astype(int) - whole).max() <= 1


def test_errors_name_the_problem(tmp_path, checkpoint, frames):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        build_anonymizer(dict(type='LearnedAnonymizer',
                              checkpoint=str(tmp_path / 'nope.pth')))
    with pytest.raises(ValueError, match='batch_size'):
        build_anonymizer(dict(type='LearnedAnonymizer',
                              checkpoint=checkpoint, batch_size=0))
    anonymizer = build_anonymizer(dict(type='LearnedAnonymizer',
                                       checkpoint=checkpoint))
    with pytest.raises(TypeError, match='uint8'):
        anonymizer(frames.astype(np.float32))
    with pytest.raises(ValueError, match='T, H, W, 3'):
        anonymizer(frames[0])


def test_module_imports_no_framework():
    """torch and the model code are imported when f_A is built, not when
    mmprivact.anonymization is (it must work without MMEngine)."""
    import subprocess
    import sys
    from pathlib import Path

    import mmprivact
    root = str(Path(mmprivact.__file__).parent)
    code = (
        'import sys, types\n'
        'pkg = types.ModuleType("mmprivact")\n'  # skip mmprivact/__init__
        f'pkg.__path__ = [{root!r}]\n'
        'sys.modules["mmprivact"] = pkg\n'
        'import mmprivact.anonymization.learned_anonymizer\n'
        'import mmprivact.anonymization.anonymizer_builder\n'
        'heavy = [m for m in ("torch", "mmengine", "mmaction", "mmcv") '
        'if m in sys.modules]\n'
        'assert not heavy, heavy\n')
    subprocess.run([sys.executable, '-c', code], check=True)
