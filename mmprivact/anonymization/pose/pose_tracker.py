"""Frame-to-frame identity of detected people (for multi-person pose)."""
from typing import List, Optional, Sequence

import numpy as np


class PoseTracker:
    """Give each detected person a track id that persists across frames.

    Detections of a frame are matched to the open tracks by the Hungarian
    method on a size-normalised landmark distance: the visibility-weighted
    mean pixel distance between a detection's 2D landmarks and the track's
    last ones, divided by the diagonal of the track's landmark box. Pairs
    farther than ``max_distance`` are not matched; an unmatched detection
    opens a new track. A track not seen for more than ``max_gap`` frames is
    closed (a person who comes back later gets a new id, and a new avatar).

    Args:
        max_distance (float): Largest normalised distance of a match.
            Defaults to 0.5 (half a body size per frame).
        max_gap (int): Frames a track may go unseen and still be matched.
            Defaults to 10.
    """

    def __init__(self, max_distance: float = 0.5, max_gap: int = 10) -> None:
        if not max_distance > 0:
            raise ValueError(
                f'max_distance must be > 0; got {max_distance!r}.')
        if not isinstance(max_gap, int) or max_gap < 0:
            raise ValueError(f'max_gap must be an int >= 0; got {max_gap!r}.')
        self.max_distance = float(max_distance)
        self.max_gap = max_gap
        self._uv: List[np.ndarray] = []
        self._vis: List[np.ndarray] = []
        self._last: List[int] = []

    @property
    def num_tracks(self) -> int:
        """int: Tracks opened so far."""
        return len(self._last)

    def _distance(self, track: int, uv: np.ndarray, vis: np.ndarray) -> float:
        w = np.minimum(self._vis[track], vis)
        w = np.where(np.isfinite(uv).all(1) & np.isfinite(
            self._uv[track]).all(1), w, 0.0)
        if w.sum() <= 1e-6:
            return np.inf
        dist = np.linalg.norm(uv - self._uv[track], axis=1)
        dist = np.where(w > 0, dist, 0.0)
        ref = self._uv[track][self._vis[track] > 0.5]
        if len(ref) < 2:
            ref = self._uv[track]
        diag = float(np.linalg.norm(np.ptp(ref, axis=0)))
        return float((w * dist).sum() / w.sum()) / max(diag, 1.0)

    def update(self, frame: int, landmarks: Sequence[np.ndarray],
               visibility: Optional[Sequence[np.ndarray]] = None) -> List[int]:
        """Assign track ids to one frame's detections.

        Args:
            frame (int): Frame index (increasing from call to call).
            landmarks (Sequence[np.ndarray]): Per detection, (J, 2) pixel
                landmarks.
            visibility (Sequence[np.ndarray], optional): Per detection,
                (J,) weights in [0, 1]; defaults to ones.

        Returns:
            list[int]: The track id of each detection, in input order.
        """
        from scipy.optimize import linear_sum_assignment
        uvs = [np.asarray(u, np.float64) for u in landmarks]
        vis = [np.ones(len(u)) if visibility is None else np.clip(
            np.nan_to_num(np.asarray(v, np.float64)), 0, 1)
               for u, v in zip(uvs, visibility or [None] * len(uvs))]
        open_tracks = [k for k, last in enumerate(self._last)
                       if frame - last <= self.max_gap + 1 and last < frame]
        ids = [-1] * len(uvs)
        if open_tracks and uvs:
            cost = np.array([[self._distance(k, u, v) for k in open_tracks]
                             for u, v in zip(uvs, vis)])
            big = 1e6
            rows, cols = linear_sum_assignment(
                np.where(np.isfinite(cost), cost, big))
            for r, c in zip(rows, cols):
                if cost[r, c] <= self.max_distance:
                    ids[r] = open_tracks[c]
        for d, (u, v) in enumerate(zip(uvs, vis)):
            if ids[d] < 0:
                ids[d] = len(self._last)
                self._uv.append(u)
                self._vis.append(v)
                self._last.append(frame)
            else:
                k = ids[d]
                self._uv[k], self._vis[k], self._last[k] = u, v, frame
        return ids
