"""Base of the backends that read dataset-provided skeletons."""
import dataclasses
import logging
from abc import abstractmethod
from typing import Any, Optional, Tuple

import numpy as np

from ..clip_files import resolve_clip_file
from .base_pose_estimator import PoseEstimator
from .pose_sequence import PoseSequence, interpolate_invalid

logger = logging.getLogger(__name__)

_MISMATCH = ('pad', 'raise')


class SkeletonFilePose(PoseEstimator):
    """A pose "estimator" that reads the skeletons a dataset ships.

    :meth:`__call__` takes the clip's ``source`` (a file path, or a video
    id / path resolved as ``root/<stem><suffix>``) and, when the frames are
    given, adapts the result to them: 2D joints and ``K`` are rescaled to
    the frames' size (3D joints are unchanged) and the frame count is
    matched (``frame_mismatch='pad'``: extra skeleton frames are dropped,
    missing ones are added as invalid, with a warning; ``'raise'``: error).

    Args:
        root (str, optional): Folder of the skeleton files, for ids.
        suffix (str): File name suffix appended to a video id's stem.
        frame_mismatch (str): ``'pad'`` or ``'raise'``. Defaults to
            ``'pad'`` (NTU RGB+D skeletons and videos sometimes differ by a
            frame or two).
        smoothing (dict | None): Temporal smoother config. Defaults to None
            (dataset skeletons are used as recorded).
    """

    def __init__(self,
                 root: Optional[str] = None,
                 suffix: str = '',
                 frame_mismatch: str = 'pad',
                 smoothing: Any = None) -> None:
        super().__init__(smoothing=smoothing)
        if frame_mismatch not in _MISMATCH:
            raise ValueError(f'frame_mismatch must be one of {_MISMATCH}; got '
                             f'{frame_mismatch!r}.')
        self.root = root
        self.suffix = suffix
        self.frame_mismatch = frame_mismatch

    def resolve_path(self, source: Optional[str]) -> str:
        """The skeleton file of ``source``.

        Args:
            source (str): A skeleton file path, or a video path / id whose
                stem names a file in ``root``.

        Returns:
            str: Existing file path.
        """
        return resolve_clip_file(source, self.root, self.suffix,
                                 'skeleton', type(self).__name__)

    @abstractmethod
    def read(self, source: str) -> PoseSequence:
        """Read the clip's skeletons at the dataset's native image size.

        Args:
            source (str): Clip identifier (see :meth:`resolve_path`).

        Returns:
            PoseSequence: The recorded poses.
        """

    def estimate(self, frames: Optional[np.ndarray],
                 source: Optional[str]) -> PoseSequence:
        """Read ``source`` and adapt it to ``frames`` (see the class doc).

        Args:
            frames (np.ndarray | None): (T, H, W, 3) uint8 or None.
            source (str | None): Clip identifier.

        Returns:
            PoseSequence: Poses with ``T`` and ``image_size`` of the frames.
        """
        seq = self.read(source)
        if frames is None:
            return seq
        seq = self._match_length(seq, frames.shape[0], source)
        return rescale_pose_sequence(seq, frames.shape[1:3])

    def _match_length(self, seq: PoseSequence, T: int,
                      source: Optional[str]) -> PoseSequence:
        have = seq.num_frames
        if have == T:
            return seq
        msg = (f'{source!r}: the skeletons have {have} frames but the clip '
               f'has {T}.')
        if self.frame_mismatch == 'raise':
            raise ValueError(msg + " Set frame_mismatch='pad' to drop or "
                             'add (invalid) frames at the end.')
        logger.warning('%s Dropping/adding frames at the end.', msg)
        P, J = seq.num_people, seq.joints3d.shape[2]

        def fit(a: np.ndarray, fill: Any) -> np.ndarray:
            if have > T:
                return a[:, :T]
            pad = np.full((P, T - have) + a.shape[2:], fill, a.dtype)
            return np.concatenate([a, pad], 1)

        valid = fit(seq.valid, False)
        return dataclasses.replace(
            seq,
            joints3d=interpolate_invalid(fit(seq.joints3d, np.nan), valid),
            joints2d=interpolate_invalid(fit(seq.joints2d, np.nan), valid),
            confidence=fit(seq.confidence, 0.0).reshape(P, T, J),
            valid=valid,
            segmentation=None)


def rescale_pose_sequence(seq: PoseSequence,
                          image_size: Tuple[int, int]) -> PoseSequence:
    """The same poses seen in frames resized to ``image_size``.

    2D joints and ``K`` are scaled (pixel centres at integers, so
    ``u' = (u + 0.5) * sx - 0.5``); 3D joints are unchanged, so they still
    project onto the 2D joints with the new ``K``.

    Args:
        seq (PoseSequence): Poses at ``seq.image_size``.
        image_size (tuple[int, int]): Target ``(H, W)``.

    Returns:
        PoseSequence: Rescaled poses (``seq`` itself if the size matches).
    """
    H, W = int(image_size[0]), int(image_size[1])
    h0, w0 = seq.image_size
    if (H, W) == (h0, w0):
        return seq
    scale = np.array([W / w0, H / h0])
    K = seq.K.copy()
    K[0, 0] *= scale[0]
    K[1, 1] *= scale[1]
    K[:2, 2] = (K[:2, 2] + 0.5) * scale - 0.5
    return dataclasses.replace(
        seq,
        joints2d=(seq.joints2d + 0.5) * scale.astype(np.float32) - 0.5,
        K=K,
        image_size=(H, W),
        segmentation=None)
