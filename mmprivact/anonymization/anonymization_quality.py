"""Quality measures of an anonymized clip: is the avatar on the person, is
the person gone, did the background survive, is the avatar stable."""
from dataclasses import asdict, dataclass
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .array_checks import dilate_masks
from .face_detector import FaceDetector


@dataclass
class AnonymizationQuality:
    """The measures of one clip (see :func:`measure_quality`).

    Attributes:
        avatar_in_person_box (float): Fraction of avatar pixels inside the
            person's bounding box (per frame, pooled over frames).
        person_covered (float): Fraction of the person's segmented pixels
            covered by the avatar.
        background_psnr (float): PSNR (dB) of the anonymized frames against
            the originals outside the dilated union of person and avatar.
        consecutive_mask_iou (float): Mean IoU of the avatar masks of
            consecutive frames (frames where both are non-empty).
        person_consecutive_iou (float): The same for the person masks: what
            a mask that follows the person exactly would score, so a low
            ``consecutive_mask_iou`` on fast motion can be told from jitter.
        centered_consecutive_iou (float): ``consecutive_mask_iou`` with each
            pair's centroids aligned first: shape flicker without the
            motion of the whole body.
        face_frames_original (int): Frames where the face detector found a
            face on the person in the original (box centre on the person
            mask; detections elsewhere are not the person's face).
        face_frames_still_found (int): Of those, frames where it still finds
            a face overlapping the original face in the anonymized frame.
    """

    avatar_in_person_box: float
    person_covered: float
    background_psnr: float
    consecutive_mask_iou: float
    face_frames_original: int
    face_frames_still_found: int
    person_consecutive_iou: float = float('nan')
    centered_consecutive_iou: float = float('nan')

    @property
    def face_found_again(self) -> float:
        """float: Fraction of original face frames where the face is still
        found (NaN when no face was found in the original)."""
        if not self.face_frames_original:
            return float('nan')
        return self.face_frames_still_found / self.face_frames_original

    def as_dict(self) -> Dict:
        """dict: The measures, plus ``face_found_again``."""
        return dict(asdict(self), face_found_again=self.face_found_again)


def _box(mask: np.ndarray) -> Optional[Tuple[int, int, int, int]]:
    ys, xs = np.nonzero(mask)
    if not len(ys):
        return None
    return ys.min(), ys.max() + 1, xs.min(), xs.max() + 1


def _iou(a, b) -> float:
    """IoU of two boxes (x0, y0, x1, y1)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) *
             (b[3] - b[1]) - inter)
    return inter / union if union > 0 else 0.0


def _on_mask(box, mask: np.ndarray) -> bool:
    """Whether a box (x0, y0, x1, y1)'s centre lies on the mask."""
    h, w = mask.shape
    x = int(np.clip((box[0] + box[2]) / 2, 0, w - 1))
    y = int(np.clip((box[1] + box[3]) / 2, 0, h - 1))
    return bool(mask[y, x])


def _shift(mask: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``mask`` moved by (dy, dx) pixels, zero-filled."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        mask[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def consecutive_iou(masks: np.ndarray, centered: bool = False) -> float:
    """Mean IoU of consecutive non-empty masks.

    Args:
        masks (np.ndarray): bool (T, H, W).
        centered (bool): Move each frame's mask so its centroid lands on
            the previous frame's before the IoU (whole-body motion removed).

    Returns:
        float: The mean, NaN when no two consecutive masks are non-empty.
    """
    ious = []
    for a, b in zip(masks[:-1], masks[1:]):
        if not (a.any() and b.any()):
            continue
        if centered:
            ca = np.argwhere(a).mean(0)
            cb = np.argwhere(b).mean(0)
            dy, dx = np.round(ca - cb).astype(int)
            b = _shift(b, int(dy), int(dx))
        ious.append((a & b).sum() / max((a | b).sum(), 1))
    return float(np.mean(ious)) if ious else float('nan')


def measure_quality(original: np.ndarray,
                    anonymized: np.ndarray,
                    person_mask: np.ndarray,
                    avatar_mask: np.ndarray,
                    dilate: int = 5,
                    face_detector: Optional[FaceDetector] = None,
                    face_iou: float = 0.3) -> AnonymizationQuality:
    """Measure one anonymized clip against its original.

    Args:
        original (np.ndarray): (T, H, W, 3) uint8 input frames.
        anonymized (np.ndarray): (T, H, W, 3) uint8 output frames.
        person_mask (np.ndarray): bool (T, H, W) person segmentation of
            the original.
        avatar_mask (np.ndarray): bool (T, H, W) rendered avatar.
        dilate (int): Pixels the union of person and avatar grows before
            the background PSNR (edges blend). Defaults to 5.
        face_detector (FaceDetector, optional): Used for the face measure;
            None skips it (counts stay 0).
        face_iou (float): A face in the anonymized frame is "the original
            face" when its box overlaps an original face box by this IoU.

    Returns:
        AnonymizationQuality: The measures.
    """
    inside = avatar_total = covered = 0
    for person, avatar in zip(person_mask, avatar_mask):
        box = _box(person)
        avatar_total += int(avatar.sum())
        if box is not None:
            y0, y1, x0, x1 = box
            inside += int(avatar[y0:y1, x0:x1].sum())
        covered += int((avatar & person).sum())
    person_total = int(person_mask.sum())
    outside = ~dilate_masks(person_mask | avatar_mask, dilate)
    diff = original[outside].astype(np.float64) - anonymized[outside]
    mse = float(np.mean(diff ** 2)) if diff.size else 0.0
    psnr = float('inf') if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)
    faces_before = faces_after = 0
    if face_detector is not None:
        for src, out, person in zip(original, anonymized, person_mask):
            before = [b for b in face_detector(src)
                      if _on_mask(b, person)]
            if not before:
                continue
            faces_before += 1
            after = face_detector(out)
            if any(_iou(a, b) >= face_iou for a in after for b in before):
                faces_after += 1
    return AnonymizationQuality(
        avatar_in_person_box=inside / avatar_total if avatar_total else 0.0,
        person_covered=covered / person_total if person_total else 0.0,
        background_psnr=psnr,
        consecutive_mask_iou=consecutive_iou(avatar_mask),
        face_frames_original=faces_before,
        face_frames_still_found=faces_after,
        person_consecutive_iou=consecutive_iou(person_mask),
        centered_consecutive_iou=consecutive_iou(avatar_mask, centered=True))


#: Joints both the synthetic set (synthetic16) and MediaPipe (mediapipe33)
#: define: shoulders, elbows, wrists, hips, knees, ankles (person's left
#: first), as indices into each layout.
SYNTHETIC16_COMMON = (4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
MEDIAPIPE33_COMMON = (11, 13, 15, 12, 14, 16, 23, 25, 27, 24, 26, 28)
#: The same 12 joints with left and right exchanged (indices into them).
COMMON_LEFT_RIGHT = (3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8)


def _procrustes(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """``pred`` (J, 3) moved onto ``gt`` by the best similarity transform
    (rotation, uniform scale, translation; Umeyama 1991)."""
    mu_p, mu_g = pred.mean(0), gt.mean(0)
    p, g = pred - mu_p, gt - mu_g
    u, sigma, vt = np.linalg.svd(p.T @ g)
    d = np.sign(np.linalg.det(u @ vt))
    fix = np.diag([1.0, 1.0, d])
    rot = u @ fix @ vt
    scale = (sigma * np.diag(fix)).sum() / (p ** 2).sum()
    return scale * p @ rot + mu_g


def joint_error(pred: np.ndarray, gt: np.ndarray, valid: np.ndarray,
                left_right: Optional[Sequence[int]] = None
                ) -> Dict[str, float]:
    """3D joint error of a pose estimate against ground truth.

    Args:
        pred (np.ndarray): (T, J, 3) estimated joints (metres).
        gt (np.ndarray): (T, J, 3) true joints, same joints and order.
        valid (np.ndarray): (T,) bool, frames where the estimate was made.
        left_right (Sequence[int], optional): Permutation exchanging the
            joints' left and right sides (e.g. :data:`COMMON_LEFT_RIGHT`);
            given, frames whose estimate fits better with sides exchanged
            are counted (a person seen from the front taken as seen from
            the back, or the reverse).

    Returns:
        dict: ``mpjpe_cm`` (mean per-joint error after aligning the joints'
        centroid, i.e. the metric scale and orientation as estimated),
        ``pa_mpjpe_cm`` (after the best rotation, scale and translation per
        frame), ``frames`` (valid frames measured) and, with
        ``left_right``, ``side_swapped_frames`` and
        ``pa_mpjpe_either_side_cm`` (the PA error with each frame's better
        side assignment).
    """
    root, pa, either, swapped = [], [], [], 0
    for t in np.flatnonzero(valid):
        p, g = pred[t].astype(np.float64), gt[t].astype(np.float64)
        centred = p - p.mean(0) + g.mean(0)
        root.append(np.linalg.norm(centred - g, axis=1).mean())
        pa.append(np.linalg.norm(_procrustes(p, g) - g, axis=1).mean())
        if left_right is not None:
            q = p[list(left_right)]
            other = np.linalg.norm(_procrustes(q, g) - g, axis=1).mean()
            swapped += int(other < pa[-1])
            either.append(min(other, pa[-1]))
    if not root:
        return dict(mpjpe_cm=float('nan'), pa_mpjpe_cm=float('nan'),
                    frames=0)
    out = dict(mpjpe_cm=100 * float(np.mean(root)),
               pa_mpjpe_cm=100 * float(np.mean(pa)), frames=len(root))
    if left_right is not None:
        out.update(side_swapped_frames=swapped,
                   pa_mpjpe_either_side_cm=100 * float(np.mean(either)))
    return out
