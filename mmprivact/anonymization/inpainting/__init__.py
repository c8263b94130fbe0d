"""Inpainting stage: remove the real person, recover the background.

Backends (registered in :data:`INPAINTERS`, built with
:func:`build_inpainter`):

- :class:`TemporalBackgroundInpainter`: per-pixel temporal median of the
  uncovered background (static cameras), with a fallback for pixels never
  uncovered.
- :class:`OpenCVInpainter`: per-frame ``cv2.inpaint`` (Telea / Navier-Stokes).
- :class:`DiffusersInpainter`: Stable Diffusion inpainting from a local model
  directory (diffusers imported lazily).
"""
from .base_inpainter import BaseInpainter
from .diffusers_inpainter import DiffusersInpainter
from .opencv_inpainter import OpenCVInpainter
from .registry import INPAINTERS, build_inpainter
from .temporal_background_inpainter import TemporalBackgroundInpainter

__all__ = [
    'BaseInpainter', 'DiffusersInpainter', 'INPAINTERS', 'OpenCVInpainter',
    'TemporalBackgroundInpainter', 'build_inpainter'
]
