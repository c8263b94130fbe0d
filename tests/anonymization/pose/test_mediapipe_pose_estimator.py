import numpy as np
import pytest

pytest.importorskip('mediapipe')
skdata = pytest.importorskip('skimage.data')

from mmprivact.anonymization.camera import project  # noqa: E402
from mmprivact.anonymization.pose import (
    MediaPipePoseEstimator,  # noqa
    OneEuroFilter,
    build_pose_estimator)


@pytest.fixture(scope='module')
def astronaut():
    return skdata.astronaut()  # 512x512 RGB photo of a person.


@pytest.fixture(scope='module')
def single(astronaut):
    est = build_pose_estimator(
        dict(type='MediaPipePoseEstimator', smoothing=None))
    return est(astronaut[None])


def test_finds_the_astronaut(single):
    seq = single
    assert seq.layout == 'mediapipe33' and seq.valid.tolist() == [[True]]
    nose = seq.joints2d[0, 0, seq.joint_index('nose')]
    # Checked on the image: the nose tip is at about (222, 128).
    assert 190 < nose[0] < 255 and 100 < nose[1] < 160
    left = seq.joints2d[0, 0, seq.joint_index('left_shoulder')]
    right = seq.joints2d[0, 0, seq.joint_index('right_shoulder')]
    # Facing the camera: her left shoulder is on the image's right.
    assert 260 < left[0] < 350 and 70 < right[0] < 160
    assert 200 < left[1] < 300 and 200 < right[1] < 300
    conf = seq.confidence[0, 0]
    assert conf[seq.joint_index('nose')] > 0.9
    # Legs are out of the frame: low visibility.
    assert conf[seq.joint_index('left_ankle')] < 0.5
    assert seq.segmentation.shape == (1, 512, 512)


def test_camera_placement_is_consistent(single):
    seq = single
    j3d = seq.joints3d[0, 0]
    assert np.all(j3d[:, 2] > 0.2) and np.all(j3d[:, 2] < 5.0)
    # Head above shoulders in OpenCV axes (y down), shoulders left/right.
    assert j3d[0, 1] < j3d[11, 1]
    assert j3d[11, 0] > j3d[12, 0]
    # The placed 3D joints reproject near the image landmarks.
    seen = seq.confidence[0, 0] > 0.9
    err = np.linalg.norm(project(j3d[seen], seq.K) - seq.joints2d[0, 0, seen],
                         axis=1)
    assert np.median(err) < 15.0


def test_moving_clip_tracks_and_handles_an_empty_frame(astronaut):
    # A camera pan: 384x384 windows moving 16 px right per frame, then a
    # frame without anybody, then the person again.
    crops = [astronaut[64:448, x:x + 384] for x in (0, 16, 32, 48)]
    clip = np.stack(
        crops +
        [np.full((384, 384, 3), 128, np.uint8), astronaut[64:448, 64:448]])
    est = MediaPipePoseEstimator(smoothing=None)
    seq = est(clip)
    assert seq.joints3d.shape == (1, 6, 33, 3)
    assert seq.joints2d.shape == (1, 6, 33, 2)
    assert seq.valid.tolist() == [[True, True, True, True, False, True]]
    assert seq.confidence[0, 4].max() == 0.0
    nose_x = seq.joints2d[0, :, 0, 0]
    steps = np.diff(nose_x[:4])
    assert np.all(steps < -8) and np.all(steps > -24)  # ~ -16 px / frame.
    np.testing.assert_allclose(seq.joints2d[0, 4],
                               (seq.joints2d[0, 3] + seq.joints2d[0, 5]) / 2,
                               atol=1e-3)
    assert seq.segmentation[4].max() == 0.0
    smooth = OneEuroFilter(min_cutoff=1.0, beta=0.05).smooth(seq)
    assert smooth.joints3d.shape == seq.joints3d.shape
    assert np.isfinite(smooth.joints3d).all()
    np.testing.assert_array_equal(smooth.joints2d[0, 0], seq.joints2d[0, 0])
    # Causal smoothing lags the pan but stays within a frame's motion.
    lag = np.abs(smooth.joints2d[0, :4, 0, 0] - nose_x[:4])
    assert lag.max() < 24.0


def test_only_one_person_is_supported():
    with pytest.raises(ValueError, match='tracks one person'):
        MediaPipePoseEstimator(max_people=2)
    with pytest.raises(ValueError, match='needs the frames'):
        MediaPipePoseEstimator()(None)
    with pytest.raises(ValueError, match=r'uint8 RGB clip'):
        MediaPipePoseEstimator()(np.zeros((2, 8, 8), np.uint8))
