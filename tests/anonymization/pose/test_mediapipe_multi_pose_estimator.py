"""Several people with MediaPipe Tasks, from a bundle made of the wheel's
own models (offline)."""
import zipfile

import numpy as np
import pytest

pytest.importorskip('mediapipe')
skdata = pytest.importorskip('skimage.data')

from mmprivact.anonymization.pose import (  # noqa: E402
    MediaPipeMultiPoseEstimator, build_pose_estimator, pose_landmarker_bundle)


def _two_astronauts(frames=8):
    """The astronaut and her mirror image side by side, both moving."""
    import cv2
    face = cv2.resize(skdata.astronaut(), (240, 240))
    return np.ascontiguousarray(np.stack([
        np.concatenate([face[:, 40 + t:200 + t], face[:, 40 + t:200 + t]
                        [:, ::-1]], 1) for t in range(0, 2 * frames, 2)]))


def test_bundle_is_built_once_offline(tmp_path):
    path = pose_landmarker_bundle(str(tmp_path))
    with zipfile.ZipFile(path) as bundle:
        assert sorted(bundle.namelist()) == [
            'pose_detector.tflite', 'pose_landmarks_detector.tflite']
    mtime = (tmp_path / path.split('/')[-1]).stat().st_mtime_ns
    assert pose_landmarker_bundle(str(tmp_path)) == path
    assert (tmp_path / path.split('/')[-1]).stat().st_mtime_ns == mtime


@pytest.mark.slow
def test_finds_and_tracks_two_people():
    frames = _two_astronauts()
    est = build_pose_estimator(dict(
        type='MediaPipeMultiPoseEstimator', min_detection_confidence=0.3,
        min_presence_confidence=0.3, smoothing=None))
    seq = est(frames)
    assert seq.valid.shape == (2, 8)
    assert seq.valid.sum(1).min() >= 6
    nose = seq.joint_index('nose')
    xs = sorted(np.nanmean(seq.joints2d[p, :, nose, 0]) for p in range(2))
    # one face in each half (the mirror's nose is about 320 - x)
    assert xs[0] < 160 < xs[1]
    assert seq.segmentation.shape == (8, 240, 320)
    seg = seq.segmentation >= 0.5
    assert seg[:, :, :160].mean() > 0.2 and seg[:, :, 160:].mean() > 0.2
    # each track is one person: its nose stays on one side
    for p in range(2):
        side = seq.joints2d[p, seq.valid[p], nose, 0] < 160
        assert side.all() or not side.any()


def test_nobody_gives_an_empty_sequence():
    est = MediaPipeMultiPoseEstimator(smoothing=None)
    seq = est(np.full((3, 64, 80, 3), 127, np.uint8))
    assert seq.valid.shape == (0, 3) and seq.joints3d.shape[0] == 0
    assert seq.segmentation.shape == (3, 64, 80)


def test_bad_arguments():
    with pytest.raises(ValueError, match='max_people'):
        MediaPipeMultiPoseEstimator(max_people=0)
    with pytest.raises(ValueError, match='min_presence_confidence'):
        MediaPipeMultiPoseEstimator(min_presence_confidence=2)
    with pytest.raises(ValueError, match='min_track_frames'):
        MediaPipeMultiPoseEstimator(min_track_frames=0)
    with pytest.raises(ValueError, match='max_gap'):
        MediaPipeMultiPoseEstimator(tracker=dict(max_gap=-1))
