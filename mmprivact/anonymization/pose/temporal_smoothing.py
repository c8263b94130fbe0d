"""Temporal smoothing of pose tracks: the One Euro filter.

Casiez, Roussel and Vogel, "1 Euro Filter: A Simple Speed-based Low-pass
Filter for Noisy Input in Interactive Systems", CHI 2012. A first-order
low-pass whose cutoff grows with the signal's speed: slow motion (where
jitter is visible) is smoothed hard, fast motion keeps little lag.
"""
import dataclasses
import math
from typing import Optional

import numpy as np

from .pose_sequence import PoseSequence, interpolate_invalid
from .registry import POSE_SMOOTHERS


def _alpha(cutoff: np.ndarray, dt: float) -> np.ndarray:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


@POSE_SMOOTHERS.register('OneEuro')
@POSE_SMOOTHERS.register()
class OneEuroFilter:
    """Offline, causal One Euro filter over the time axis of an array.

    Every scalar channel is filtered independently. Invalid frames are
    skipped (the filter state jumps over them, with the time step grown by
    the gap) and returned unchanged.

    Args:
        min_cutoff (float): Cutoff frequency (Hz) at rest; lower means
            smoother and more lag. Defaults to 1.0.
        beta (float): Speed coefficient (per signal unit per second; for
            pose sequences the unit is a pixel, see :meth:`smooth`); higher
            means less lag on fast motion. Defaults to 0.05.
        d_cutoff (float): Cutoff (Hz) of the speed estimate. Defaults to 1.0.
        fps (float): Frame rate of the clip. Defaults to 30.
    """

    def __init__(self,
                 min_cutoff: float = 1.0,
                 beta: float = 0.05,
                 d_cutoff: float = 1.0,
                 fps: float = 30.0) -> None:
        for name, value in (('min_cutoff', min_cutoff), ('d_cutoff', d_cutoff),
                            ('fps', fps)):
            if not float(value) > 0:
                raise ValueError(f'{name} must be > 0; got {value!r}.')
        if not float(beta) >= 0:
            raise ValueError(f'beta must be >= 0; got {beta!r}.')
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.fps = float(fps)

    def filter(self,
               values: np.ndarray,
               valid: Optional[np.ndarray] = None) -> np.ndarray:
        """Filter ``values`` along axis 0.

        Args:
            values (np.ndarray): (T, ...) signal.
            valid (np.ndarray, optional): bool (T,); frames to use. Defaults
                to all.

        Returns:
            np.ndarray: float64 (T, ...) filtered signal (invalid frames
            copied from the input).
        """
        x = np.asarray(values, dtype=np.float64)
        if x.ndim < 1:
            raise ValueError('values must have a time axis (T, ...); got a '
                             'scalar.')
        ok = np.ones(len(x), bool) if valid is None else np.asarray(
            valid, bool)
        if ok.shape != (len(x), ):
            raise ValueError(f'valid must have shape ({len(x)},); got '
                             f'{ok.shape}.')
        out = x.copy()
        frames = np.flatnonzero(ok)
        if len(frames) == 0:
            return out
        prev_t = frames[0]
        x_hat = x[prev_t].copy()
        dx_hat = np.zeros_like(x_hat)
        for t in frames[1:]:
            dt = (t - prev_t) / self.fps
            dx = (x[t] - x_hat) / dt
            dx_hat = dx_hat + _alpha(np.float64(self.d_cutoff),
                                     dt) * (dx - dx_hat)
            cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
            x_hat = x_hat + _alpha(cutoff, dt) * (x[t] - x_hat)
            out[t] = x_hat
            prev_t = t
        return out

    def smooth(self, seq: PoseSequence) -> PoseSequence:
        """Smooth every person's 2D and 3D joints over their valid frames.

        3D joints are filtered in pixel-equivalent units (multiplied by
        ``fx / median depth`` of the person) so one ``beta`` fits pixels and
        metres alike. Invalid frames are re-interpolated afterwards.

        Args:
            seq (PoseSequence): Input poses.

        Returns:
            PoseSequence: A new sequence with smoothed joints (confidence,
            valid and the rest unchanged).
        """
        j2d = seq.joints2d.astype(np.float64)
        j3d = seq.joints3d.astype(np.float64)
        for p in range(seq.num_people):
            ok = seq.valid[p]
            if not ok.any():
                continue
            j2d[p] = self.filter(j2d[p], ok)
            depth = np.nanmedian(j3d[p][ok][..., 2])
            if not np.isfinite(depth) or depth <= 0:
                continue  # 3D unavailable (NaN) or degenerate.
            scale = seq.K[0, 0] / depth
            j3d[p] = self.filter(j3d[p] * scale, ok) / scale
        return dataclasses.replace(
            seq,
            joints2d=interpolate_invalid(j2d, seq.valid),
            joints3d=interpolate_invalid(j3d, seq.valid))

    def __call__(self, seq: PoseSequence) -> PoseSequence:
        """Alias of :meth:`smooth`."""
        return self.smooth(seq)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(min_cutoff={self.min_cutoff}, '
                f'beta={self.beta}, d_cutoff={self.d_cutoff}, '
                f'fps={self.fps})')
