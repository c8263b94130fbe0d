"""Private crop planning for the diffusion refiners.

A clip is refined in crops that follow the region: one crop *size* per clip
(so every frame runs at the same model resolution and gets the same noise),
placed around each frame's region and clamped to the frame.
"""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

Box = Tuple[int, int, int, int]  # top, left, height, width


def plan_crops(grown: np.ndarray, pad: float,
               size: Optional[Sequence[int]]) -> List[Optional[Box]]:
    """One crop box per frame (None where the region is empty).

    Each frame's box is the bounding box of ``grown`` padded on every side
    by ``pad`` times its larger side. The crop size is the largest padded
    box over the clip, widened to the aspect ratio of ``size`` when given,
    and clamped to the frame; each frame's crop is centred on its box and
    shifted inside the frame, so it always contains the whole region.

    Args:
        grown (np.ndarray): bool (T, H, W), not all False.
        pad (float): Context margin as a fraction of the box's larger side.
        size (Sequence[int], optional): (height, width) the model runs at.

    Returns:
        list[Box | None]: (top, left, height, width) per frame; all boxes
        have the same height and width.
    """
    height, width = grown.shape[1:]
    boxes = []
    for mask in grown:
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        if rows.size == 0:
            boxes.append(None)
            continue
        y0, x0 = int(rows[0]), int(cols[0])
        h, w = int(rows[-1]) + 1 - y0, int(cols[-1]) + 1 - x0
        margin = int(np.ceil(pad * max(h, w)))
        boxes.append((y0, x0, h, w, margin))
    crop_h = max(b[2] + 2 * b[4] for b in boxes if b is not None)
    crop_w = max(b[3] + 2 * b[4] for b in boxes if b is not None)
    if size is not None:
        ratio = size[1] / size[0]
        if crop_w < crop_h * ratio:
            crop_w = int(np.ceil(crop_h * ratio))
        else:
            crop_h = int(np.ceil(crop_w / ratio))
    crop_h, crop_w = min(crop_h, height), min(crop_w, width)
    crops: List[Optional[Box]] = []
    for box in boxes:
        if box is None:
            crops.append(None)
            continue
        y0, x0, h, w, _ = box
        # Floor division keeps top <= y0 and top + crop_h >= y0 + h.
        top = min(max(y0 - (crop_h - h) // 2, 0), height - crop_h)
        left = min(max(x0 - (crop_w - w) // 2, 0), width - crop_w)
        crops.append((top, left, crop_h, crop_w))
    return crops


def resize(image: np.ndarray, hw: Tuple[int, int]) -> np.ndarray:
    """Resize to (height, width): area when shrinking, cubic otherwise.

    Args:
        image (np.ndarray): (h, w, C) array.
        hw (tuple[int, int]): Target (height, width).

    Returns:
        np.ndarray: (height, width, C), same dtype; ``image`` itself when
        the size already matches.
    """
    if image.shape[:2] == tuple(hw):
        return image
    shrink = hw[0] * hw[1] < image.shape[0] * image.shape[1]
    return cv2.resize(image, (hw[1], hw[0]),
                      interpolation=cv2.INTER_AREA if shrink else
                      cv2.INTER_CUBIC)
