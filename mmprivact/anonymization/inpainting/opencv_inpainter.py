"""Per-frame classical image inpainting with OpenCV."""
import cv2
import numpy as np

from .base_inpainter import BaseInpainter
from .registry import INPAINTERS

_METHODS = {'telea': cv2.INPAINT_TELEA, 'ns': cv2.INPAINT_NS}


@INPAINTERS.register()
class OpenCVInpainter(BaseInpainter):
    """Fill each frame's hole with ``cv2.inpaint`` (no temporal information).

    Fast and dependency-free; good for thin or small holes, smeary for large
    ones. Also the fallback of
    :class:`~.temporal_background_inpainter.TemporalBackgroundInpainter` for
    pixels that are never uncovered.

    Args:
        method (str): ``'telea'`` (Telea 2004, fast marching) or ``'ns'``
            (Navier-Stokes). Defaults to ``'telea'``.
        radius (float): Neighbourhood radius in pixels considered around
            each filled pixel. Defaults to 3.
        dilate (int): Grow the hole by this many pixels first. Defaults to 0.

    Example:
        >>> inpainter = OpenCVInpainter(method='telea', radius=3, dilate=2)
        >>> out = inpainter(frames, person_masks)  # doctest: +SKIP
    """

    def __init__(self, method: str = 'telea', radius: float = 3.0,
                 dilate: int = 0) -> None:
        super().__init__(dilate=dilate)
        if method not in _METHODS:
            raise ValueError(f'`method` must be one of {sorted(_METHODS)}; '
                             f'got {method!r}.')
        if not isinstance(radius, (int, float)) or isinstance(radius, bool) \
                or radius <= 0:
            raise ValueError(f'`radius` must be a positive number of pixels; '
                             f'got {radius!r}.')
        self.method = method
        self.radius = float(radius)

    def inpaint(self, frames: np.ndarray, hole: np.ndarray) -> np.ndarray:
        """Fill ``hole`` frame by frame.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            hole (np.ndarray): bool (T, H, W).

        Returns:
            np.ndarray: uint8 (T, H, W, 3).
        """
        out = frames.copy()
        for t in range(frames.shape[0]):
            if not hole[t].any():
                continue
            # cv2 treats the 3 channels independently of their order, so RGB
            # needs no conversion.
            out[t] = cv2.inpaint(np.ascontiguousarray(frames[t]),
                                 hole[t].astype(np.uint8), self.radius,
                                 _METHODS[self.method])
        return out

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(method={self.method!r}, '
                f'radius={self.radius}, dilate={self.dilate})')
