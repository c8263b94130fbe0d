"""Side-by-side pictures of what the anonymizer did, for people to check."""
from typing import Optional, Sequence

import numpy as np

from .anonymized_video import AnonymizedVideo

#: Panel titles, left to right.
PANELS = ('original', 'person mask', 'avatar render', 'anonymized',
          'privacy mask')


def _mask_overlay(frame: np.ndarray, mask: np.ndarray,
                  color=(0, 200, 0)) -> np.ndarray:
    out = frame.astype(np.float32)
    out[mask] = 0.45 * out[mask] + 0.55 * np.asarray(color, np.float32)
    return out.astype(np.uint8)


def comparison_frames(frames: np.ndarray,
                      result: AnonymizedVideo) -> np.ndarray:
    """Per frame, the panels of :data:`PANELS` side by side.

    Person mask and privacy mask (green = non-sensitive) are drawn over
    the original and the anonymized frame; panels missing from ``result``
    (a baseline has no avatar render) are grey.

    Args:
        frames (np.ndarray): (T, H, W, 3) uint8 original clip.
        result (AnonymizedVideo): The anonymizer's output for it.

    Returns:
        np.ndarray: (T, H, 5 * W + 4 * gap, 3) uint8.
    """
    t, h, w, _ = frames.shape
    grey = np.full_like(frames, 128)
    person = result.extras.get('person_mask')
    render = result.extras.get('avatar_render')
    panels = [
        frames,
        grey if person is None else np.stack(
            [_mask_overlay(f, m, (220, 40, 40))
             for f, m in zip(frames, person)]),
        grey if render is None else render,
        result.frames,
        np.stack([_mask_overlay(f, m)
                  for f, m in zip(result.frames, result.non_sensitive)]),
    ]
    gap = np.full((t, h, 4, 3), 255, np.uint8)
    row = []
    for i, panel in enumerate(panels):
        row += [panel] if i == 0 else [gap, panel]
    return np.concatenate(row, axis=2)


def comparison_strip(frames: np.ndarray,
                     result: AnonymizedVideo,
                     indices: Optional[Sequence[int]] = None,
                     num_frames: int = 4) -> np.ndarray:
    """A still image: a few frames (rows) x the panels (columns).

    Args:
        frames (np.ndarray): (T, H, W, 3) uint8 original clip.
        result (AnonymizedVideo): The anonymizer's output for it.
        indices (Sequence[int], optional): Frames to show; default
            ``num_frames`` evenly spaced ones.
        num_frames (int): Rows when ``indices`` is None.

    Returns:
        np.ndarray: (rows * (H + 4), 5 * W + 16, 3) uint8 RGB with a title
        bar on top.
    """
    import cv2
    if indices is None:
        indices = np.linspace(0, len(frames) - 1,
                              min(num_frames, len(frames))).round().astype(
                                  int)
    rows = comparison_frames(frames[list(indices)], _select(result, indices))
    h, width = rows.shape[1:3]
    sep = np.full((4, width, 3), 255, np.uint8)
    body = np.concatenate(
        [np.concatenate([r, sep]) for r in rows])[:-4]
    bar = np.full((18, width, 3), 255, np.uint8)
    panel_w = (width - 16) // 5
    for i, title in enumerate(PANELS):
        cv2.putText(bar, title, (i * (panel_w + 4) + 2, 13),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return np.concatenate([bar, body])


def _select(result: AnonymizedVideo, indices) -> AnonymizedVideo:
    idx = list(indices)
    return AnonymizedVideo(
        result.frames[idx], result.non_sensitive[idx], result.stage_seconds,
        {k: v[idx] for k, v in result.extras.items()
         if isinstance(v, np.ndarray)})
