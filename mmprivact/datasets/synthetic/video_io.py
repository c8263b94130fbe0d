"""Deterministic mp4 writing for generated videos."""
import os

import av
import cv2
import numpy as np


def write_mp4(path: str, frames: np.ndarray, fps: int,
              bit_rate: int = 300_000) -> None:
    """Encode RGB frames as MPEG-4 Part 2 mp4, byte-for-byte reproducibly.

    FFmpeg's own single-threaded ``mpeg4`` encoder is used rather than x264,
    whose output was seen to vary between runs on identical input.

    The file is written to ``path + '.tmp'`` and renamed, so an interrupted
    run never leaves a truncated video under the final name.

    Args:
        path (str): Output path (``.mp4``).
        frames (np.ndarray): (T, H, W, 3) uint8 RGB; H and W must be even.
        fps (int): Frame rate.
        bit_rate (int): Target bit rate in bits per second.
    """
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError('frames must be a (T, H, W, 3) uint8 array, got '
                         f'{frames.shape} {frames.dtype}.')
    tmp = path + '.tmp'
    with av.open(tmp, mode='w', format='mp4') as container:
        stream = container.add_stream('mpeg4', rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = 'yuv420p'
        ctx = stream.codec_context
        ctx.thread_count = 1  # slice threads would make bytes timing-dependent
        stream.bit_rate = bit_rate
        for frame in frames:
            # Convert to YUV here: FFmpeg's swscale RGB->YUV path gave
            # run-to-run different bytes; OpenCV's BT.601 conversion does not.
            yuv = cv2.cvtColor(np.ascontiguousarray(frame),
                               cv2.COLOR_RGB2YUV_I420)
            image = av.VideoFrame.from_ndarray(yuv, format='yuv420p')
            for packet in stream.encode(image):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    os.replace(tmp, path)
