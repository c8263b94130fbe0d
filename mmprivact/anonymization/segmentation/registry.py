"""Registry and builder of person segmentation backends."""
from typing import Any

from ..stage_registry import StageRegistry

SEGMENTERS = StageRegistry('segmentation')


def build_segmenter(cfg: Any) -> Any:
    """Build a :class:`~.person_segmenter.PersonSegmenter` from a config.

    Args:
        cfg (dict | PersonSegmenter): e.g.
            ``dict(type='MediaPipeSelfieSegmenter', threshold=0.5)``, or an
            already built segmenter (returned as is).

    Returns:
        PersonSegmenter: The backend.
    """
    # Importing the backends registers them (mediapipe is imported lazily
    # by their constructors).
    from . import (
        mask_file_segmenter,
        mediapipe_pose_segmenter,  # noqa
        mediapipe_selfie_segmenter)
    return SEGMENTERS.build(cfg)
