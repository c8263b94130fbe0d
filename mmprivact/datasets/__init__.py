"""Datasets, transforms, samplers and the embedded synthetic benchmark."""
from .checked_video_dataset import CheckedVideoDataset

__all__ = ['CheckedVideoDataset']
