"""Models: data preprocessors, anonymizers (f_A), privacy branches (f_B),
losses and the penalty-minimax recognizer."""
from .anonymizers import UNetAnonymizer, load_trained_anonymizer
from .data_preprocessors import MaskDPDataPreprocessor

__all__ = ['MaskDPDataPreprocessor', 'UNetAnonymizer',
           'load_trained_anonymizer']
