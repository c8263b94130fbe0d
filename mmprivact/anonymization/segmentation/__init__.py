"""Segmentation stage: per-pixel person masks of a clip.

Backends (built with :func:`build_segmenter`): ``MediaPipeSelfieSegmenter``,
``MediaPipePoseSegmenter`` (both offline from mediapipe 0.10.21's bundled
models) and ``MaskFileSegmenter`` (dataset-provided masks).
"""
from .mask_file_segmenter import MaskFileSegmenter
from .mediapipe_pose_segmenter import MediaPipePoseSegmenter
from .mediapipe_selfie_segmenter import MediaPipeSelfieSegmenter
from .person_segmenter import PersonSegmenter
from .registry import SEGMENTERS, build_segmenter

__all__ = [
    'PersonSegmenter', 'MediaPipeSelfieSegmenter', 'MediaPipePoseSegmenter',
    'MaskFileSegmenter', 'SEGMENTERS', 'build_segmenter'
]
