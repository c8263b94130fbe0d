"""The in-memory form of a privacy-attribute split, and frame helpers."""
import os.path as osp
from dataclasses import dataclass
from typing import Callable, List, Sequence

import cv2
import numpy as np


@dataclass
class PrivacyAttributeSplit:
    """Frames and their private-attribute targets, ready for an attacker.

    Args:
        frames (np.ndarray): (N, S, S, 3) uint8 RGB frames.
        targets (np.ndarray): (N, K) float32 multi-hot targets (one-hot
            when ``single_label``).
        attribute_names (list[str]): The K attribute (or class) names.
        single_label (bool): Exactly one attribute per frame (e.g.
            identity): score with softmax / top-1 instead of sigmoids.
        group (np.ndarray): (N,) int index of the source video or image of
            each frame, for per-video scores.
    """

    frames: np.ndarray
    targets: np.ndarray
    attribute_names: List[str]
    single_label: bool
    group: np.ndarray

    def __post_init__(self) -> None:
        f, t = self.frames, self.targets
        if f.ndim != 4 or f.shape[-1] != 3 or f.dtype != np.uint8:
            raise ValueError(f'frames must be (N, S, S, 3) uint8; got '
                             f'{f.shape} {f.dtype}.')
        if t.ndim != 2 or t.shape[0] != f.shape[0] \
                or t.shape[1] != len(self.attribute_names):
            raise ValueError(
                f'targets must be (N, K) = ({f.shape[0]}, '
                f'{len(self.attribute_names)}); got {t.shape}.')
        if self.group.shape != (f.shape[0], ):
            raise ValueError(f'group must be ({f.shape[0]},); got '
                             f'{self.group.shape}.')
        if self.single_label and not np.all(t.sum(1) == 1):
            raise ValueError('single_label targets must be one-hot.')

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def num_attributes(self) -> int:
        """K, the number of attributes (classes)."""
        return len(self.attribute_names)


def square_resize(image: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop to a square and resize to ``size`` x ``size``.

    The centre crop keeps the aspect ratio (as SPAct's test transform);
    area interpolation when shrinking, linear when enlarging.
    """
    h, w = image.shape[:2]
    side = min(h, w)
    y0, x0 = (h - side) // 2, (w - side) // 2
    crop = image[y0:y0 + side, x0:x0 + side]
    if side == size:
        return np.ascontiguousarray(crop)
    interp = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interp)


def evenly_spaced(candidates: Sequence[int], count: int) -> List[int]:
    """``count`` evenly spaced entries of ``candidates`` (all if fewer)."""
    candidates = list(candidates)
    if count <= 0:
        raise ValueError(f'frames_per_video must be >= 1; got {count}.')
    if len(candidates) <= count:
        return candidates
    pos = np.linspace(0, len(candidates) - 1, count).round().astype(int)
    return [candidates[p] for p in pos]


def decode_frames(path: str, size: int,
                  pick: Callable[[int], Sequence[int]]) -> np.ndarray:
    """Decode chosen frames of a video, square-resized.

    Args:
        path (str): Video file.
        size (int): Output side.
        pick (callable): Maps the video's frame count to the frame indices
            to decode (may be empty).

    Returns:
        np.ndarray: (len(indices), size, size, 3) uint8 RGB.

    Raises:
        FileNotFoundError: If the video does not exist.
        RuntimeError: If it cannot be decoded.
    """
    import decord
    if not osp.isfile(path):
        raise FileNotFoundError(f'video {path!r} not found.')
    try:
        reader = decord.VideoReader(path)
        indices = [int(i) for i in pick(len(reader))]
        if not indices:
            return np.zeros((0, size, size, 3), np.uint8)
        batch = reader.get_batch(indices).asnumpy()
    except Exception as err:  # decord raises its own error types
        raise RuntimeError(f'cannot decode video {path!r}: {err}') from err
    return np.stack([square_resize(f, size) for f in batch])


__all__ = ['PrivacyAttributeSplit', 'square_resize', 'evenly_spaced',
           'decode_frames']
