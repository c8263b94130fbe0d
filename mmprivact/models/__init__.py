"""Models: data preprocessors, anonymizers (f_A), privacy branches (f_B),
losses, the penalty-minimax recognizer and its data-parallel wrapper."""
from .anonymizers import UNetAnonymizer, load_trained_anonymizer
from .data_preprocessors import MaskDPDataPreprocessor
from .losses import BudgetPenalty, NTXentLoss
from .privacy_branches import ContrastivePrivacyBranch, FrameViewAugmenter
from .recognizers import PenaltyMinimaxRecognizer
from .wrappers import TrainStepDataParallel, average_gradients

__all__ = [
    'MaskDPDataPreprocessor', 'UNetAnonymizer', 'load_trained_anonymizer',
    'BudgetPenalty', 'NTXentLoss', 'ContrastivePrivacyBranch',
    'FrameViewAugmenter', 'PenaltyMinimaxRecognizer', 'TrainStepDataParallel',
    'average_gradients'
]
