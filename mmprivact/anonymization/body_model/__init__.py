"""Body-model stage: SMPL-H (official files or a license-free default body)
fitted to 3D joints, and seeded avatar appearance.

``smplx`` and ``scipy`` are imported lazily, where they are used.
"""
from .avatar_appearance import AvatarAppearance
from .base_body_fitter import BaseBodyFitter
from .body_fit_result import BodyFitResult
from .default_body import DefaultBodyGenerator, default_cache_dir
from .joint_fitter import CAMERA_FROM_WORLD, JointFitter
from .joint_maps import JOINT_LAYOUTS, JointLayout, get_joint_layout
from .registry import BODY_FITTERS, build_body_fitter
from .smplh_body_model import SMPLHBodyModel
from .smplh_topology import (KEYPOINT_NAMES, LANDMARK_NAMES, SMPLH_JOINT_NAMES,
                             SMPLH_PARENTS)

__all__ = [
    'AvatarAppearance', 'BaseBodyFitter', 'BodyFitResult',
    'DefaultBodyGenerator', 'default_cache_dir', 'CAMERA_FROM_WORLD',
    'JointFitter', 'JOINT_LAYOUTS', 'JointLayout', 'get_joint_layout',
    'BODY_FITTERS', 'build_body_fitter', 'SMPLHBodyModel', 'KEYPOINT_NAMES',
    'LANDMARK_NAMES', 'SMPLH_JOINT_NAMES', 'SMPLH_PARENTS'
]
