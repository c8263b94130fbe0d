"""Refinement stage (optional, off by default): diffusion over the avatar.

Backends (registered in :data:`REFINERS`, built with :func:`build_refiner`;
``build_refiner(None)`` returns None, meaning the stage is skipped):

- :class:`DiffusersImg2ImgRefiner`: Stable Diffusion img2img on a crop
  around the avatar, from a local model directory (diffusers imported
  lazily), with a fixed seed and the same noise for every frame.
- :class:`ControlNetRefiner`: the same with a ControlNet conditioned on a
  given sequence (e.g. the avatar render or depth).
- :class:`IdentityRefiner`: an explicit no-op.
"""
from .base_refiner import BaseRefiner
from .controlnet_refiner import ControlNetRefiner
from .diffusers_img2img_refiner import DiffusersImg2ImgRefiner
from .identity_refiner import IdentityRefiner
from .registry import REFINERS, build_refiner

__all__ = [
    'BaseRefiner', 'ControlNetRefiner', 'DiffusersImg2ImgRefiner',
    'IdentityRefiner', 'REFINERS', 'build_refiner'
]
