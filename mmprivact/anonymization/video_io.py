"""Reading and atomically writing videos and privacy-mask sidecars.

Anonymized outputs are written to ``<name>.tmp`` files and renamed, so an
interrupted batch never leaves a half-written video or mask under its final
name (a re-run then redoes that video).
"""
import os
from typing import Tuple

import numpy as np

#: Key of the bool (T, H, W) array in a ``.privacy_mask.npz`` sidecar
#: (``True`` = synthetic, i.e. non-sensitive).
MASK_KEY = 'non_sensitive'


class VideoReadError(RuntimeError):
    """A video file is missing, unreadable or has no decodable frame."""


def read_video(path: str) -> Tuple[np.ndarray, float]:
    """Decode every frame of a video.

    Args:
        path (str): Video file (anything FFmpeg reads).

    Returns:
        tuple[np.ndarray, float]: (T, H, W, 3) uint8 RGB frames and the
        average frame rate.

    Raises:
        VideoReadError: If the file cannot be opened or holds no frame.
    """
    import av  # PyAV; imported here to keep package import light

    if not os.path.isfile(path):
        raise VideoReadError(f'{path}: no such file.')
    try:
        with av.open(path) as container:
            if not container.streams.video:
                raise VideoReadError(f'{path}: no video stream.')
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            frames = [f.to_ndarray(format='rgb24')
                      for f in container.decode(stream)]
    except VideoReadError:
        raise
    except Exception as exc:  # FFmpeg raises many error types
        raise VideoReadError(f'{path}: cannot decode ({exc}).') from exc
    if not frames:
        raise VideoReadError(f'{path}: no decodable frame.')
    fps = float(rate) if rate else 30.0
    return np.stack(frames), fps


def write_video(path: str, frames: np.ndarray, fps: float,
                crf: int = 17) -> None:
    """Encode RGB frames as H.264 mp4 with the given frame rate, atomically.

    Even frame sizes use yuv420p (plays everywhere); odd sizes, which
    yuv420p cannot hold, use yuv444p so the output keeps the input's size.

    Args:
        path (str): Output ``.mp4`` path; parent folders are created.
        frames (np.ndarray): (T, H, W, 3) uint8 RGB.
        fps (float): Frame rate of the output.
        crf (int): x264 constant rate factor (lower = better quality).
            Defaults to 17, visually lossless.
    """
    import av
    from fractions import Fraction

    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError('frames must be a (T, H, W, 3) uint8 array, got '
                         f'{frames.shape} {frames.dtype}.')
    height, width = frames.shape[1:3]
    even = height % 2 == 0 and width % 2 == 0
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    with av.open(tmp, mode='w', format='mp4') as container:
        stream = container.add_stream(
            'libx264', rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = width, height
        stream.pix_fmt = 'yuv420p' if even else 'yuv444p'
        stream.options = {'crf': str(crf), 'preset': 'veryfast'}
        for frame in frames:
            image = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(frame), format='rgb24')
            for packet in stream.encode(image):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    os.replace(tmp, path)


def write_privacy_mask(path: str, non_sensitive: np.ndarray) -> None:
    """Save a ``.privacy_mask.npz`` sidecar atomically.

    Args:
        path (str): Output path, conventionally ``<video>.privacy_mask.npz``.
        non_sensitive (np.ndarray): bool (T, H, W), ``True`` = synthetic.
    """
    mask = np.asarray(non_sensitive)
    if mask.ndim != 3 or mask.dtype != np.bool_:
        raise ValueError('non_sensitive must be a bool (T, H, W) array, got '
                         f'{mask.shape} {mask.dtype}.')
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        np.savez_compressed(f, **{MASK_KEY: mask})
    os.replace(tmp, path)


def read_privacy_mask(path: str) -> np.ndarray:
    """Load a ``.privacy_mask.npz`` sidecar.

    Args:
        path (str): Sidecar path.

    Returns:
        np.ndarray: bool (T, H, W), ``True`` = synthetic.
    """
    with np.load(path) as data:
        if MASK_KEY not in data:
            raise KeyError(f'{path}: no {MASK_KEY!r} array (has '
                           f'{sorted(data.files)}); was it written by '
                           'tools/anonymize_videos.py?')
        return data[MASK_KEY].astype(bool)
