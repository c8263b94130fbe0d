"""Background recovery for static cameras: per-pixel temporal median."""
import logging
from typing import Any, Optional, Tuple

import numpy as np

from .base_inpainter import BaseInpainter
from .registry import INPAINTERS, build_inpainter

logger = logging.getLogger(__name__)

# Sort key for samples that must not count (hole pixels): above any uint8.
_INVALID = 256
# Bytes of temporaries per (sample, pixel): uint8 gather (3) + uint16 copy (6)
# + uint16 sort buffer (6) + bool validity (1).
_BYTES_PER_SAMPLE = 16


@INPAINTERS.register()
class TemporalBackgroundInpainter(BaseInpainter):
    """Fill the hole with the background seen at other times (static camera).

    A hole pixel (t, y, x) takes the per-pixel, per-channel median of
    ``frames[s, y, x]`` over the frames ``s`` where (y, x) is *not* in the
    hole, restricted to ``|s - t| <= window`` when ``window`` is set. With a
    static background and a moving person every pixel the person ever
    uncovers is restored exactly. Pixels that are in the hole in every frame
    considered ("never seen") are filled afterwards by the ``fallback``
    inpainter on the partially restored frames. The median of an even number
    of samples is the mean of the two middle ones, rounded half up.

    Memory: the clip itself is not copied to float. Medians are computed on
    chunks of hole pixels whose temporaries (about 16 bytes per frame and
    pixel) stay under ``chunk_bytes``; besides the input and output clips
    (a 300-frame 320x240 clip is 69 MB each) the peak extra memory is about
    ``chunk_bytes`` plus a few bool masks of the clip's size.

    Args:
        window (int, optional): Half-width of the temporal window in frames
            (frames ``t - window ... t + window`` are used; a smaller window
            follows lighting changes, a larger one recovers more pixels).
            None uses the whole clip (each pixel's median is then computed
            once). Defaults to None.
        fallback (dict | BaseInpainter): Inpainter for never-seen pixels.
            Defaults to ``dict(type='OpenCVInpainter')``.
        dilate (int): Grow the hole by this many pixels first. Defaults to 0.
        chunk_bytes (int): Memory budget of one median chunk in bytes.
            Defaults to 64 MiB.

    Example:
        >>> inpainter = TemporalBackgroundInpainter(window=None, dilate=3)
        >>> background = inpainter(frames, person_masks)  # doctest: +SKIP
    """

    def __init__(self, window: Optional[int] = None,
                 fallback: Any = dict(type='OpenCVInpainter'),
                 dilate: int = 0, chunk_bytes: int = 64 * 2**20) -> None:
        super().__init__(dilate=dilate)
        if window is not None and (isinstance(window, bool)
                                   or not isinstance(window, (int, np.integer))
                                   or window < 0):
            raise ValueError(f'`window` must be None (whole clip) or a '
                             f'non-negative int half-width in frames; got '
                             f'{window!r}.')
        if isinstance(chunk_bytes, bool) or not isinstance(
                chunk_bytes, (int, np.integer)) or chunk_bytes <= 0:
            raise ValueError(f'`chunk_bytes` must be a positive int; got '
                             f'{chunk_bytes!r}.')
        if fallback is None:
            raise ValueError(
                '`fallback` must be an inpainter config or instance (pixels '
                'never uncovered would otherwise keep the person); got None. '
                "Use e.g. dict(type='OpenCVInpainter').")
        self.window = None if window is None else int(window)
        self.chunk_bytes = int(chunk_bytes)
        self.fallback = build_inpainter(fallback)
        if not callable(self.fallback):
            raise TypeError(f'`fallback` must build a callable inpainter; got '
                            f'{type(self.fallback).__name__}.')

    def inpaint(self, frames: np.ndarray, hole: np.ndarray) -> np.ndarray:
        """Restore seen background, then fill the rest with the fallback.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            hole (np.ndarray): bool (T, H, W).

        Returns:
            np.ndarray: uint8 (T, H, W, 3).
        """
        num_frames, height, width = hole.shape
        flat = frames.reshape(num_frames, height * width, 3)
        flat_hole = hole.reshape(num_frames, height * width)
        out = frames.copy()
        out_flat = out.reshape(num_frames, height * width, 3)
        unseen = np.zeros_like(hole)
        unseen_flat = unseen.reshape(num_frames, height * width)

        if self.window is None:
            # One median per pixel over the whole clip, used in every frame
            # where that pixel is in the hole.
            pixels = np.flatnonzero(flat_hole.any(axis=0))
            for idx in self._chunks(pixels, num_frames):
                median, seen = _masked_median(flat[:, idx],
                                              ~flat_hole[:, idx])
                in_hole = flat_hole[:, idx]
                out_flat[:, idx] = np.where(in_hole[..., None],
                                            median[None], flat[:, idx])
                unseen_flat[:, idx] = in_hole & ~seen[None]
        else:
            for t in range(num_frames):
                pixels = np.flatnonzero(flat_hole[t])
                lo = max(0, t - self.window)
                hi = min(num_frames, t + self.window + 1)
                for idx in self._chunks(pixels, hi - lo):
                    median, seen = _masked_median(flat[lo:hi, idx],
                                                  ~flat_hole[lo:hi, idx])
                    out_flat[t, idx] = median
                    unseen_flat[t, idx] = ~seen

        if unseen.any():
            logger.debug('%d hole pixels never uncovered; using %r.',
                         int(unseen.sum()), self.fallback)
            out = self.fallback(out, unseen)
        return out

    def _chunks(self, pixels: np.ndarray, num_samples: int):
        """Split pixel indices so one chunk's temporaries fit the budget."""
        size = max(1, self.chunk_bytes // (_BYTES_PER_SAMPLE * num_samples))
        for start in range(0, pixels.size, size):
            yield pixels[start:start + size]

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(window={self.window}, '
                f'fallback={self.fallback!r}, dilate={self.dilate}, '
                f'chunk_bytes={self.chunk_bytes})')


def _masked_median(values: np.ndarray,
                   valid: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Per-pixel, per-channel median over the valid samples.

    Args:
        values (np.ndarray): uint8 (S, N, 3) samples of N pixels.
        valid (np.ndarray): bool (S, N), which samples count.

    Returns:
        tuple[np.ndarray, np.ndarray]: uint8 (N, 3) medians (meaningless
        where nothing was valid) and bool (N,) "at least one valid sample".
    """
    # (N, 3, S) in C order: sorting along the contiguous last axis is several
    # times faster than along the first.
    keyed = np.ascontiguousarray(values.transpose(1, 2, 0), dtype=np.uint16)
    keyed[~valid.T[:, None, :].repeat(3, axis=1)] = _INVALID  # sorts last
    keyed.sort(axis=-1)
    count = valid.sum(axis=0)
    last = values.shape[0] - 1
    lo = np.clip((count - 1) // 2, 0, last)[:, None, None]
    hi = np.clip(count // 2, 0, last)[:, None, None]
    median = (np.take_along_axis(keyed, lo, axis=-1) +
              np.take_along_axis(keyed, hi, axis=-1) + 1) // 2
    return np.minimum(median[..., 0], 255).astype(np.uint8), count > 0
