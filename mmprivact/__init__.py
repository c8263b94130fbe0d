"""mmprivact: privacy-preserving training for MMAction2.

Importing the package (directly, or through a config's
``custom_imports = dict(imports=['mmprivact'], allow_failed_imports=False)``)
fixes MMAction2 1.2.0's import problems in memory, registers every mmprivact
component in MMAction2's registries, and routes local checkpoint loading
through :mod:`mmprivact.engine.runner.checkpoint_trust`.
"""
from .compat import patch_mmaction
from .version import __version__

patch_mmaction()

import mmaction.models  # noqa: E402,F401  (MMAction2's own registrations)

from . import datasets, engine, evaluation, models, privacy  # noqa: E402,F401

__all__ = ['__version__']
