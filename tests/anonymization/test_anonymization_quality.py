"""The anonymization quality measures, on cases with known answers, and the
face detector on a real face."""
import numpy as np
import pytest

from mmprivact.anonymization.anonymization_quality import measure_quality
from mmprivact.anonymization.face_detector import FaceDetector


def _squares(t=3, size=40, shift=2):
    person = np.zeros((t, size, size), bool)
    avatar = np.zeros_like(person)
    for i in range(t):
        person[i, 10:30, 10:20] = True
        avatar[i, 12:28, 10 + shift * i:20 + shift * i] = True
    return person, avatar


def test_known_geometry():
    person, avatar = _squares()
    frames = np.random.default_rng(0).integers(0, 256, (3, 40, 40, 3),
                                               dtype=np.uint8)
    out = frames.copy()
    out[person | avatar] = 0
    q = measure_quality(frames, out, person, avatar, dilate=1)
    # frame i: avatar columns 10+2i..20+2i, person box columns 10..20
    inside = sum(16 * (10 - 2 * i) for i in range(3)) / (3 * 16 * 10)
    assert q.avatar_in_person_box == pytest.approx(inside)
    assert q.person_covered == pytest.approx(inside * 16 / 20)
    assert q.background_psnr == float('inf')  # untouched outside
    # consecutive squares shifted by 2 columns: IoU = 8/12
    assert q.consecutive_mask_iou == pytest.approx(8 * 16 / (12 * 16))
    # the avatar only moves: aligned by centroid it is the same square
    assert q.centered_consecutive_iou == pytest.approx(1.0)
    assert q.person_consecutive_iou == pytest.approx(1.0)  # never moves
    noisy = out.copy()
    noisy[0, 0, 0, 0] ^= 16  # one channel of one background pixel, +-16
    q2 = measure_quality(frames, noisy, person, avatar, dilate=1)
    from mmprivact.anonymization.array_checks import dilate_masks
    outside = (~dilate_masks(person | avatar, 1)).sum() * 3
    assert q2.background_psnr == pytest.approx(
        10 * np.log10(255 ** 2 / (16 ** 2 / outside)))
    assert np.isnan(q.face_found_again)


def test_centered_iou_sees_shape_flicker_not_motion():
    from mmprivact.anonymization.anonymization_quality import \
        consecutive_iou
    masks = np.zeros((3, 30, 30), bool)
    masks[0, 0:10, 0:10] = True  # 10x10
    masks[1, 10:20, 12:22] = True  # same square, moved
    masks[2, 10:20, 12:17] = True  # half of it, still: shape changed
    # (0, 1): moved only -> 1; (1, 2): half width, centroid shift 2.5 px
    # rounds to 2 -> columns 14..19 vs 12..22: IoU 5/10
    assert consecutive_iou(masks, centered=True) == pytest.approx(
        (1.0 + 0.5) / 2)
    assert consecutive_iou(masks) == pytest.approx((0 + 0.5) / 2)
    assert np.isnan(consecutive_iou(np.zeros((2, 4, 4), bool)))


@pytest.mark.slow
def test_face_detector_finds_a_real_face_and_not_a_blacked_out_one():
    from skimage import data
    image = data.astronaut()
    detector = FaceDetector()
    try:
        boxes = detector(image)
        assert len(boxes) == 1
        x0, y0, x1, y1 = boxes[0]
        assert 150 < (x0 + x1) / 2 < 260 and 60 < (y0 + y1) / 2 < 160
        person = np.zeros((1, ) + image.shape[:2], bool)
        person[0, int(y0) - 20:int(y1) + 20, int(x0) - 20:int(x1) + 20] = True
        gone = image.copy()
        gone[person[0]] = 90
        q = measure_quality(image[None], gone[None], person,
                            np.zeros_like(person), face_detector=detector)
        assert q.face_frames_original == 1
        assert q.face_frames_still_found == 0
        kept = measure_quality(image[None], image[None], person,
                               np.zeros_like(person), face_detector=detector)
        assert kept.face_found_again == 1.0
        # a face off the person's mask is not the person's face
        elsewhere = np.zeros_like(person)
        elsewhere[0, :40] = True
        off = measure_quality(image[None], image[None], elsewhere,
                              np.zeros_like(person), face_detector=detector)
        assert off.face_frames_original == 0
    finally:
        detector.close()


def test_joint_error_alignment():
    from scipy.spatial.transform import Rotation

    from mmprivact.anonymization.anonymization_quality import joint_error
    rng = np.random.default_rng(1)
    gt = rng.normal(size=(4, 12, 3))
    rot = Rotation.from_rotvec([0.3, -0.5, 0.2]).as_matrix()
    similar = 1.7 * gt @ rot.T + np.array([0.5, -2.0, 3.0])
    err = joint_error(similar, gt, np.ones(4, bool))
    assert err['pa_mpjpe_cm'] == pytest.approx(0, abs=1e-9)
    assert err['mpjpe_cm'] > 1  # scale and rotation count without PA
    shifted = gt + np.array([1.0, 2.0, -3.0])  # translation only
    err = joint_error(shifted, gt, np.array([True, False, True, True]))
    assert err['mpjpe_cm'] == pytest.approx(0, abs=1e-9)
    assert err['frames'] == 3
    noisy = gt.copy()
    noisy[:, 0] += [0.03, 0.0, 0.04]  # one joint 5 cm off
    err = joint_error(noisy, gt, np.ones(4, bool))
    # centroid alignment spreads it: joint 0 off by 5*11/12, others 5/12
    assert err['mpjpe_cm'] == pytest.approx(
        100 * 0.05 * (11 / 12 + 11 / 12) / 12)
    assert np.isnan(joint_error(gt, gt, np.zeros(4, bool))['mpjpe_cm'])


def test_joint_error_counts_left_right_swaps():
    from mmprivact.anonymization.anonymization_quality import (
        COMMON_LEFT_RIGHT, joint_error)
    rng = np.random.default_rng(2)
    gt = rng.normal(size=(5, 12, 3))
    pred = gt.copy()
    pred[[1, 3]] = gt[[1, 3]][:, list(COMMON_LEFT_RIGHT)]  # 2 frames
    err = joint_error(pred, gt, np.ones(5, bool),
                      left_right=COMMON_LEFT_RIGHT)
    assert err['side_swapped_frames'] == 2
    assert err['pa_mpjpe_either_side_cm'] == pytest.approx(0, abs=1e-9)
    assert err['pa_mpjpe_cm'] > 10
    assert 'side_swapped_frames' not in joint_error(pred, gt,
                                                    np.ones(5, bool))
    # the permutation is its own inverse and really exchanges the sides
    perm = np.array(COMMON_LEFT_RIGHT)
    assert (perm[perm] == np.arange(12)).all() and (perm != np.arange(12)).all()
