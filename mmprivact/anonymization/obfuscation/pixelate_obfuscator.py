"""Pixelation (mosaic) of the person region."""
import numpy as np

from ..array_checks import check_non_negative_int
from .base_obfuscator import BaseObfuscator
from .registry import OBFUSCATORS


@OBFUSCATORS.register()
class PixelateObfuscator(BaseObfuscator):
    """Replace the person's pixels with block averages (mosaic).

    The frame is cut into ``block_size`` x ``block_size`` blocks on a grid
    anchored at the top-left corner (blocks at the right/bottom border may be
    smaller). Each block's colour is the rounded mean of all its pixels, and
    every masked pixel of the block takes that colour, so the masked part of
    a block is constant.

    Args:
        block_size (int): Block side in pixels (>= 1). Defaults to 16.
        dilate (int): Grow the mask by this many pixels first. Defaults to 0.
    """

    def __init__(self, block_size: int = 16, dilate: int = 0) -> None:
        super().__init__(dilate=dilate)
        self.block_size = check_non_negative_int('block_size', block_size)
        if self.block_size < 1:
            raise ValueError(f'`block_size` must be >= 1; got {block_size}.')

    def obfuscate(self, frames: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Mosaic every frame that has a masked pixel.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            region (np.ndarray): bool (T, H, W).

        Returns:
            np.ndarray: uint8 (T, H, W, 3).
        """
        out = frames.copy()
        for t in range(frames.shape[0]):
            if region[t].any():
                out[t] = self._mosaic(frames[t])
        return out

    def _mosaic(self, frame: np.ndarray) -> np.ndarray:
        b = self.block_size
        height, width = frame.shape[:2]
        rows, cols = -(-height // b), -(-width // b)
        pad = ((0, rows * b - height), (0, cols * b - width), (0, 0))
        # Sums and counts over zero padding: partial border blocks average
        # only their in-image pixels.
        sums = np.pad(frame.astype(np.float64), pad).reshape(
            rows, b, cols, b, 3).sum((1, 3))
        counts = np.pad(np.ones((height, width, 1)), pad).reshape(
            rows, b, cols, b, 1).sum((1, 3))
        means = np.floor(sums / counts + 0.5).astype(np.uint8)
        return means.repeat(b, axis=0).repeat(b, axis=1)[:height, :width]

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(block_size={self.block_size}, '
                f'dilate={self.dilate})')
