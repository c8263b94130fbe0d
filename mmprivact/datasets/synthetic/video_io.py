"""Deterministic mp4 writing for generated videos."""
import os

import av
import numpy as np


def write_mp4(path: str, frames: np.ndarray, fps: int, crf: int = 18) -> None:
    """Encode RGB frames as H.264 mp4, byte-for-byte reproducibly.

    The file is written to ``path + '.tmp'`` and renamed, so an interrupted
    run never leaves a truncated video under the final name.

    Args:
        path (str): Output path (``.mp4``).
        frames (np.ndarray): (T, H, W, 3) uint8 RGB; H and W must be even.
        fps (int): Frame rate.
        crf (int): x264 constant rate factor (lower is better quality).
    """
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError('frames must be a (T, H, W, 3) uint8 array, got '
                         f'{frames.shape} {frames.dtype}.')
    tmp = path + '.tmp'
    with av.open(tmp, mode='w', format='mp4') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = 'yuv420p'
        # One thread: x264's output depends on the thread count.
        stream.codec_context.thread_count = 1
        stream.options = {'crf': str(crf), 'preset': 'medium'}
        for frame in frames:
            image = av.VideoFrame.from_ndarray(frame, format='rgb24')
            for packet in stream.encode(image):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    os.replace(tmp, path)
