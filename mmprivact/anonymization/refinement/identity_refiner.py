"""A refiner that changes nothing (an explicit "off" in a config)."""
from typing import Optional

import numpy as np

from ..array_checks import check_frames, check_mask
from .base_refiner import BaseRefiner
from .registry import REFINERS


@REFINERS.register()
class IdentityRefiner(BaseRefiner):
    """Return the frames unchanged (after the usual input checks).

    ``build_refiner(None)`` returns None, which callers treat as "stage
    off"; this class is for configs that must name a backend.
    """

    def __init__(self) -> None:
        super().__init__(dilate=0, feather=0)

    def __call__(self, frames: np.ndarray, region: np.ndarray,
                 control: Optional[np.ndarray] = None) -> np.ndarray:
        """Check the input and return a copy of ``frames``.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            region (np.ndarray): bool (T, H, W).
            control (np.ndarray, optional): uint8 (T, H, W, 3); ignored.

        Returns:
            np.ndarray: A copy of ``frames``.
        """
        check_frames('frames', frames)
        check_mask('region', region, frames.shape[:3])
        if control is not None:
            check_frames('control', control)
        return frames.copy()

    def refine(self, frames: np.ndarray, grown: np.ndarray,
               control: Optional[np.ndarray]) -> np.ndarray:
        """Unused: :meth:`__call__` never calls it.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            grown (np.ndarray): bool (T, H, W).
            control (np.ndarray, optional): Ignored.

        Returns:
            np.ndarray: ``frames``.
        """
        return frames

    def __repr__(self) -> str:
        return f'{type(self).__name__}()'
