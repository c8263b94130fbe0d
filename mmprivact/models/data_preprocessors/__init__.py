"""Data preprocessors (registered in MMAction2's MODELS)."""
from .maskdp_data_preprocessor import MaskDPDataPreprocessor

__all__ = ['MaskDPDataPreprocessor']
