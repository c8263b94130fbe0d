"""Compositing stage: depth/occlusion-aware merge of avatar and background.

Backends are registered in :data:`COMPOSITORS` and built with
:func:`build_compositor`.
"""
from .base_compositor import BaseCompositor
from .depth_aware_compositor import DepthAwareCompositor
from .registry import COMPOSITORS, build_compositor

__all__ = [
    'BaseCompositor', 'COMPOSITORS', 'DepthAwareCompositor',
    'build_compositor'
]
