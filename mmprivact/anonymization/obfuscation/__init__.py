"""Obfuscation baselines: blur, pixelate or black out the person.

Backends are registered in :data:`OBFUSCATORS` and built with
:func:`build_obfuscator`; all change only the pixels of the (dilated)
person mask.
"""
from .base_obfuscator import BaseObfuscator
from .blackout_obfuscator import BlackoutObfuscator
from .gaussian_blur_obfuscator import GaussianBlurObfuscator
from .pixelate_obfuscator import PixelateObfuscator
from .registry import OBFUSCATORS, build_obfuscator

__all__ = [
    'BaseObfuscator', 'BlackoutObfuscator', 'GaussianBlurObfuscator',
    'OBFUSCATORS', 'PixelateObfuscator', 'build_obfuscator'
]
