"""Recognizers: the penalty-minimax wrapper around any MMAction2 model."""
from .penalty_minimax_recognizer import PenaltyMinimaxRecognizer, frozen

__all__ = ['PenaltyMinimaxRecognizer', 'frozen']
