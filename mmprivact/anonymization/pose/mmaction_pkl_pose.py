"""MMAction2 skeleton annotation ``.pkl`` files (PoseDataset format)."""
import os
import os.path as osp
import pickle
from typing import Any, Dict, Optional

import numpy as np

from ..camera import intrinsics_from_fov, project
from ._kinect import KINECT_V2_COLOR_K, KINECT_V2_COLOR_SIZE, NTU_AXIS_SIGNS
from .joint_layouts import left_right_permutation
from .pose_sequence import PoseSequence, interpolate_invalid
from .registry import POSE_ESTIMATORS
from .skeleton_file_pose import SkeletonFilePose

_LAYOUT_BY_JOINTS = {17: 'coco17', 25: 'ntu25'}


@POSE_ESTIMATORS.register()
class MMAction2PklPose(SkeletonFilePose):
    """Poses from an MMAction2 pose annotation file.

    The file is a pickle of ``dict(split=..., annotations=[...])`` or of the
    annotation list; each annotation has ``frame_dir`` (the clip id),
    ``keypoint`` (M, T, J, C) and optionally ``keypoint_score`` (M, T, J)
    and ``img_shape`` (H, W). ``source`` is the ``frame_dir`` (a video path
    whose stem is the ``frame_dir`` works too). The layout follows from J:
    17 -> ``'coco17'``, 25 -> ``'ntu25'``.

    * ``C == 2`` (or J=17 with C=3, the third channel being the score):
      2D pixels only. **3D is unavailable**: ``joints3d`` is NaN and ``K``
      is only a 60-degree FOV guess, so this source can drive 2D uses but
      not a 3D avatar without a lifting step.
    * J=25 with C=3: raw Kinect v2 camera-space joints (NTU 3D
      annotations). They are mapped to the colour camera like
      :class:`NTUSkeletonPose` with nominal Kinect v2 colour intrinsics and
      NTU's mirrored axes (left/right relabelled); ``joints2d`` is their
      projection (1920x1080).

    A person is valid in a frame when some keypoint is non-zero (MMAction2
    pads absent people with zeros) and, when scores exist, their sum is
    positive.

    Security: pickles can execute code when loaded; only read annotation
    files from a trusted source.

    Args:
        ann_file (str): The ``.pkl`` path.
        max_people (int, optional): Keep the first ``max_people`` persons.
        frame_mismatch (str): See :class:`SkeletonFilePose`.
        smoothing (dict | None): Temporal smoother config.
    """

    def __init__(self,
                 ann_file: str,
                 max_people: Optional[int] = None,
                 frame_mismatch: str = 'pad',
                 smoothing: Any = None) -> None:
        super().__init__(None, '', frame_mismatch, smoothing)
        if max_people is not None and int(max_people) < 1:
            raise ValueError(f'max_people must be >= 1 or None; got '
                             f'{max_people!r}.')
        self.ann_file = os.fspath(ann_file)
        self.max_people = max_people
        self._annotations: Optional[Dict[str, dict]] = None

    def _load(self) -> Dict[str, dict]:
        if self._annotations is None:
            if not osp.isfile(self.ann_file):
                raise FileNotFoundError(f'ann_file {self.ann_file!r} does not '
                                        'exist.')
            with open(self.ann_file, 'rb') as f:
                data = pickle.load(f)
            annos = data['annotations'] if isinstance(data, dict) else data
            try:
                self._annotations = {str(a['frame_dir']): a for a in annos}
            except (TypeError, KeyError) as err:
                raise ValueError(f'{self.ann_file!r} is not an MMAction2 pose '
                                 'annotation file (a list of dicts with '
                                 f'frame_dir and keypoint): {err!r}') from err
        return self._annotations

    def read(self, source: str) -> PoseSequence:
        """Read one clip's annotation (see the class docstring).

        Args:
            source (str): ``frame_dir`` or a path whose stem is it.

        Returns:
            PoseSequence: The poses.
        """
        annos = self._load()
        if source is None:
            raise ValueError('MMAction2PklPose needs source= (the clip\'s '
                             'frame_dir); got None.')
        key = os.fspath(source)
        if key not in annos:
            key = osp.splitext(osp.basename(key))[0]
        if key not in annos:
            raise KeyError(f'{source!r} is not a frame_dir of '
                           f'{self.ann_file!r} ({len(annos)} clips).')
        return self.from_annotation(annos[key])

    def from_annotation(self, anno: dict) -> PoseSequence:
        """Convert one annotation dict.

        Args:
            anno (dict): With ``keypoint`` and optionally
                ``keypoint_score``, ``img_shape``.

        Returns:
            PoseSequence: The poses.
        """
        kp = np.asarray(anno['keypoint'], np.float64)
        if kp.ndim != 4 or kp.shape[2] not in _LAYOUT_BY_JOINTS or \
                kp.shape[3] not in (2, 3):
            raise ValueError(f'keypoint must be (M, T, J, C) with J in '
                             f'{sorted(_LAYOUT_BY_JOINTS)} and C in (2, 3); '
                             f'got {kp.shape}.')
        if self.max_people is not None:
            kp = kp[:int(self.max_people)]
        P, T, J, C = kp.shape
        layout = _LAYOUT_BY_JOINTS[J]
        score = anno.get('keypoint_score')
        is_3d = layout == 'ntu25' and C == 3
        if C == 3 and not is_3d:
            score, kp = kp[..., 2], kp[..., :2]
        valid = np.abs(kp).sum((2, 3)) > 0
        if score is not None:
            score = np.clip(np.asarray(score, np.float64)[:P], 0.0, 1.0)
            if score.shape != (P, T, J):
                raise ValueError(f'keypoint_score must be {(P, T, J)}; got '
                                 f'{score.shape}.')
            valid &= score.sum(-1) > 0
            conf = score
        else:
            conf = np.ones((P, T, J))
        conf = np.where(valid[..., None], conf, 0.0)
        if is_3d:
            K = KINECT_V2_COLOR_K.copy()
            size = KINECT_V2_COLOR_SIZE
            j3d = kp * np.array([NTU_AXIS_SIGNS[0], NTU_AXIS_SIGNS[1], 1.0])
            perm = left_right_permutation('ntu25')  # Mirrored video.
            j3d, conf = j3d[:, :, perm], conf[:, :, perm]
            j2d = project(np.where(valid[..., None, None], j3d, np.nan), K)
        else:
            shape = anno.get('img_shape', anno.get('original_shape'))
            size = tuple(int(s) for s in shape) if shape is not None \
                else KINECT_V2_COLOR_SIZE
            K = intrinsics_from_fov(size[0], size[1])
            j3d = np.full((P, T, J, 3), np.nan)
            j2d = kp
        return PoseSequence(joints3d=interpolate_invalid(j3d, valid),
                            joints2d=interpolate_invalid(j2d, valid),
                            confidence=conf,
                            valid=valid,
                            layout=layout,
                            K=K,
                            image_size=size)
