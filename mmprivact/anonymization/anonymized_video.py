"""What an anonymizer returns for one video."""
from dataclasses import dataclass, field
from typing import Any, Dict

import numpy as np


@dataclass
class AnonymizedVideo:
    """An anonymized clip and the mask of what in it is synthetic.

    Attributes:
        frames (np.ndarray): (T, H, W, 3) uint8 RGB, same T, H, W as the
            input.
        non_sensitive (np.ndarray): bool (T, H, W), ``True`` where the pixel
            is synthetic (avatar, or a region the method declares public);
            the MaskDP privacy mask.
        stage_seconds (dict[str, float]): Wall time spent in each stage.
        extras (dict): Intermediate results for inspection (e.g. the
            per-frame arrays ``person_mask``, ``avatar_render``,
            ``avatar_mask`` and the ``pose`` sequence), not saved by the
            batch tool.
    """

    frames: np.ndarray
    non_sensitive: np.ndarray
    stage_seconds: Dict[str, float] = field(default_factory=dict)
    extras: Dict[str, Any] = field(default_factory=dict)

    def check_matches(self, source: np.ndarray) -> None:
        """Raise if the output does not have the input's frames and size.

        Args:
            source (np.ndarray): The (T, H, W, 3) input frames.
        """
        if self.frames.shape != source.shape or \
                self.frames.dtype != np.uint8:
            raise ValueError(
                f'Anonymizer returned frames {self.frames.shape} '
                f'{self.frames.dtype}; expected {source.shape} uint8 (same '
                'frame count and size as the input).')
        if self.non_sensitive.shape != source.shape[:3] or \
                self.non_sensitive.dtype != np.bool_:
            raise ValueError(
                f'Anonymizer returned a mask {self.non_sensitive.shape} '
                f'{self.non_sensitive.dtype}; expected bool '
                f'{source.shape[:3]}.')
