"""``import mmprivact`` makes MMAction2 1.2.0 importable and registers us."""
import subprocess
import sys
import textwrap

import pytest

from mmprivact.compat import DRN


def _run(code):
    """Run ``code`` in a fresh interpreter (registries start empty)."""
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120)


def test_plain_mmaction_models_import_is_broken_without_us():
    """Guards the premise: if this starts passing, the fix can go."""
    res = _run('import mmaction.models')
    assert res.returncode != 0
    assert 'drn' in res.stderr


def test_import_mmprivact_fixes_mmaction_models():
    res = _run('''
        import mmprivact, mmaction.models
        from mmaction.utils import dependency
        from mmaction.registry import MODELS
        assert dependency.WITH_MULTIMODAL is False
        assert MODELS.get('Recognizer3D') is not None
        print('ok')
    ''')
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith('ok')


def test_custom_imports_in_a_config_registers_our_components():
    res = _run('''
        from mmengine.config import Config
        from mmengine.utils import import_modules_from_strings
        cfg = Config(dict(custom_imports=dict(imports=['mmprivact'],
                                              allow_failed_imports=False)))
        import_modules_from_strings(**cfg.custom_imports)
        from mmaction.registry import DATASETS, RUNNERS
        assert DATASETS.get('CheckedVideoDataset') is not None
        assert RUNNERS.get('TrustedCheckpointRunner') is not None
        print('ok')
    ''')
    assert res.returncode == 0, res.stderr


def test_drn_placeholder_explains_itself():
    with pytest.raises(ImportError, match='2714'):
        DRN()
