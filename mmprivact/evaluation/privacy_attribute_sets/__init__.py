"""Adapters that load private-attribute splits as frames + targets.

Each adapter module has ``load_split(root, split, size=..., max_items=None,
frames_per_video=..., ...) -> PrivacyAttributeSplit``; :data:`ADAPTERS`
maps the dataset names of ``tools/eval_privacy_leakage.py`` to them.
"""
from . import pa_hmdb51, synthetic_identity, vispr
from .base import PrivacyAttributeSplit

#: Dataset name -> its ``load_split``.
ADAPTERS = {
    'synthetic': synthetic_identity.load_split,
    'vispr': vispr.load_split,
    'pa_hmdb51': pa_hmdb51.load_split,
}

__all__ = ['PrivacyAttributeSplit', 'ADAPTERS', 'synthetic_identity',
           'vispr', 'pa_hmdb51']
