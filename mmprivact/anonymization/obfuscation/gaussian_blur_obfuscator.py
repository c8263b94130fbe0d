"""Gaussian blur of the person region."""
import cv2
import numpy as np

from .base_obfuscator import BaseObfuscator
from .registry import OBFUSCATORS


@OBFUSCATORS.register()
class GaussianBlurObfuscator(BaseObfuscator):
    """Replace the person's pixels with a Gaussian-blurred version.

    Each frame is blurred as a whole (kernel size ``2 * ceil(3 sigma) + 1``,
    reflected borders) and the blurred values are kept inside the dilated
    mask only. Pixels near the mask edge therefore mix in some background,
    which is what a blur baseline usually does.

    Args:
        sigma (float): Standard deviation of the blur in pixels (> 0).
            Defaults to 8.
        dilate (int): Grow the mask by this many pixels first. Defaults to 0.
    """

    def __init__(self, sigma: float = 8.0, dilate: int = 0) -> None:
        super().__init__(dilate=dilate)
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) \
                or sigma <= 0:
            raise ValueError(f'`sigma` must be a positive number of pixels; '
                             f'got {sigma!r}.')
        self.sigma = float(sigma)

    def obfuscate(self, frames: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Blur every frame that has a masked pixel.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            region (np.ndarray): bool (T, H, W).

        Returns:
            np.ndarray: uint8 (T, H, W, 3).
        """
        ksize = 2 * int(np.ceil(3 * self.sigma)) + 1
        out = frames.copy()
        for t in range(frames.shape[0]):
            if region[t].any():
                out[t] = cv2.GaussianBlur(np.ascontiguousarray(frames[t]),
                                          (ksize, ksize), self.sigma,
                                          borderType=cv2.BORDER_REFLECT_101)
        return out

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(sigma={self.sigma}, '
                f'dilate={self.dilate})')
