"""PoseTracker keeps identities across frames and opens tracks correctly."""
import numpy as np
import pytest

from mmprivact.anonymization.pose import PoseTracker


def _person(cx, cy, size=100.0, joints=8):
    """Landmarks of a body of ``size`` pixels centred at (cx, cy)."""
    ring = np.linspace(0, 2 * np.pi, joints, endpoint=False)
    return np.stack([cx + size / 2 * np.cos(ring),
                     cy + size / 2 * np.sin(ring)], 1)


def test_identities_survive_reordering_and_motion():
    tracker = PoseTracker()
    assert tracker.update(0, [_person(100, 100), _person(300, 100)]) == [0, 1]
    # both walk 10 px; the detector lists them the other way round
    assert tracker.update(1, [_person(310, 100), _person(110, 100)]) == [1, 0]
    assert tracker.update(2, [_person(120, 100)]) == [0]  # one missed
    assert tracker.update(3, [_person(130, 100), _person(330, 100)]) == [0, 1]
    assert tracker.num_tracks == 2


def test_new_person_far_away_and_after_a_long_gap_get_new_tracks():
    tracker = PoseTracker(max_distance=0.5, max_gap=2)
    tracker.update(0, [_person(100, 100)])
    # 80 px away from a 100 px body: too far for one frame -> new person
    assert tracker.update(1, [_person(180, 100)]) == [1]
    # track 1 unseen for 3 frames (> max_gap=2): closed, so a new id
    assert tracker.update(5, [_person(180, 100)]) == [2]
    # within the gap the same id comes back
    assert tracker.update(7, [_person(182, 100)]) == [2]


def test_invisible_landmarks_do_not_count():
    tracker = PoseTracker()
    a = _person(100, 100)
    tracker.update(0, [a], [np.ones(8)])
    moved = a.copy()
    moved[:4] += 500  # half the landmarks are wild but invisible
    vis = np.r_[np.zeros(4), np.ones(4)]
    assert tracker.update(1, [moved], [vis]) == [0]


def test_bad_arguments():
    with pytest.raises(ValueError, match='max_distance'):
        PoseTracker(max_distance=0)
    with pytest.raises(ValueError, match='max_gap'):
        PoseTracker(max_gap=-1)
