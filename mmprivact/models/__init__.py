"""Models: data preprocessors, and later anonymizers and recognizers."""
from .data_preprocessors import MaskDPDataPreprocessor

__all__ = ['MaskDPDataPreprocessor']
