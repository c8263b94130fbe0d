"""Make MMAction2 1.2.0 importable in the pinned environment.

Two packaging problems of the ``mmaction2==1.2.0`` wheel break
``import mmaction.models`` (see ``shared/ENVIRONMENT.md``):

* ``mmaction/models/localizers/drn/`` is missing from the wheel
  (open-mmlab/mmaction2#2714), yet ``localizers/__init__.py`` imports it.
* With ``transformers>=4.28`` installed, MMAction2 switches on its multimodal
  models, which import ``timm`` and old ``transformers`` internals.

And one of MMEngine 0.10.7: resolving ``_base_ = ['mmaction::...']`` (a
model-zoo config) needs ``pkg_resources``, which setuptools>=81 no longer
ships; :func:`patch_mmengine_package_lookup` answers the same two questions
with ``importlib``.

:func:`patch_mmaction` fixes both in memory before ``mmaction.models`` is
imported; nothing in site-packages is edited. It is idempotent and is called
by ``import mmprivact``.
"""
import importlib
import importlib.metadata
import importlib.util
import os
import sys
import types
import warnings

_DRN_MODULES = ('mmaction.models.localizers.drn',
                'mmaction.models.localizers.drn.drn')


class DRN:
    """Placeholder for MMAction2's DRN localizer, absent from the 1.2.0 wheel.

    Raises:
        ImportError: always, on construction, with the reason and the fix.
    """

    def __init__(self, *args, **kwargs):
        raise ImportError(
            'DRN (temporal grounding) is not available: the mmaction2 1.2.0 '
            'wheel does not ship mmaction/models/localizers/drn '
            '(open-mmlab/mmaction2#2714). Install MMAction2 from source if '
            'you need it; mmprivact does not use it.')


def _drn_module_present() -> bool:
    """Return whether the installed MMAction2 ships the ``drn`` package."""
    # find_spec('...localizers.drn') would import the broken parent package,
    # so look at the files instead.
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    return any(
        os.path.isfile(
            os.path.join(root, 'models', 'localizers', 'drn', 'drn.py'))
        for root in spec.submodule_search_locations)


def _is_installed(package: str) -> bool:
    """Whether ``package`` can be imported (MMEngine's ``is_installed``)."""
    try:
        importlib.metadata.distribution(package)
        return True
    except importlib.metadata.PackageNotFoundError:
        return importlib.util.find_spec(package) is not None


def _get_installed_path(package: str) -> str:
    """Folder of an importable package (MMEngine's ``get_installed_path``).

    Distribution names that differ from the module (``mmaction2`` ->
    ``mmaction``) are resolved through the distribution's top-level names.
    """
    module = package
    try:
        dist = importlib.metadata.distribution(package)
        top = (dist.read_text('top_level.txt') or '').split()
        module = top[0] if top else package
    except importlib.metadata.PackageNotFoundError:
        pass
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise RuntimeError(f'Cannot find the installed path of {package!r}.')
    return os.path.dirname(spec.origin)


def patch_mmengine_package_lookup() -> None:
    """Use importlib where MMEngine needs ``pkg_resources`` (if missing)."""
    try:
        import pkg_resources  # noqa: F401
        return  # MMEngine's own lookup works
    except ImportError:
        pass
    for name in ('mmengine.utils.package_utils', 'mmengine.utils',
                 'mmengine.config.config', 'mmengine.hub.hub'):
        module = importlib.import_module(name)
        if hasattr(module, 'is_installed'):
            module.is_installed = _is_installed
        if hasattr(module, 'get_installed_path'):
            module.get_installed_path = _get_installed_path


def patch_mmaction() -> None:
    """Register the in-memory fixes; must run before ``mmaction.models``."""
    patch_mmengine_package_lookup()
    # mmcv-lite has no compiled ops; MMAction2's recognizers do not need the
    # deformable attention it warns about on every import.
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
    dependency = importlib.import_module('mmaction.utils.dependency')
    # Multimodal models need timm and pre-5 transformers internals; neither
    # is part of this environment and nothing here uses them.
    dependency.WITH_MULTIMODAL = False

    if 'mmaction.models.localizers.drn.drn' in sys.modules:
        return
    if 'mmaction.models' not in sys.modules and _drn_module_present():
        return  # A source install with the real DRN: leave it alone.
    package = types.ModuleType(_DRN_MODULES[0])
    package.__path__ = []  # Mark as a package so ``drn.drn`` resolves.
    module = types.ModuleType(_DRN_MODULES[1])
    module.DRN = DRN
    package.drn = module
    package.DRN = DRN
    sys.modules[_DRN_MODULES[0]] = package
    sys.modules[_DRN_MODULES[1]] = module
