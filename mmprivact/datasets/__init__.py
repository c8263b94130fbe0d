"""Datasets, transforms, samplers and the embedded synthetic benchmark."""
from .checked_video_dataset import CheckedVideoDataset
from .samplers import PoissonBatchSampler
from .transforms import LoadPrivacyMask, SplitPrivacyMask

__all__ = [
    'CheckedVideoDataset', 'PoissonBatchSampler', 'LoadPrivacyMask',
    'SplitPrivacyMask'
]
