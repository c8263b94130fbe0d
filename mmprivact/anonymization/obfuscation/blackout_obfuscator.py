"""Solid-colour masking of the person region."""
from typing import Sequence

import numpy as np

from .base_obfuscator import BaseObfuscator
from .registry import OBFUSCATORS


@OBFUSCATORS.register()
class BlackoutObfuscator(BaseObfuscator):
    """Paint the person's pixels with one constant colour.

    Args:
        color (tuple[int, int, int]): RGB colour, each in [0, 255].
            Defaults to black ``(0, 0, 0)``.
        dilate (int): Grow the mask by this many pixels first. Defaults to 0.
    """

    def __init__(self, color: Sequence[int] = (0, 0, 0),
                 dilate: int = 0) -> None:
        super().__init__(dilate=dilate)
        if len(color) != 3 or any(
                isinstance(c, bool) or not isinstance(c, (int, np.integer))
                or not 0 <= c <= 255 for c in color):
            raise ValueError(f'`color` must be three ints in [0, 255] (RGB); '
                             f'got {color!r}.')
        self.color = tuple(int(c) for c in color)

    def obfuscate(self, frames: np.ndarray, region: np.ndarray) -> np.ndarray:
        """A clip filled with ``color``.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            region (np.ndarray): bool (T, H, W) (unused).

        Returns:
            np.ndarray: uint8 (T, H, W, 3).
        """
        return np.broadcast_to(np.array(self.color, np.uint8), frames.shape)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(color={self.color}, '
                f'dilate={self.dilate})')
