"""Pose stage: tracked 3D skeletons of the people in a clip.

Backends (built with :func:`build_pose_estimator`):

* ``MediaPipePoseEstimator``: offline BlazePose from the model bundled in
  mediapipe 0.10.21 (one person), with camera placement and temporal
  smoothing.
* ``MediaPipeMultiPoseEstimator``: the same networks through MediaPipe
  Tasks, several people per frame, linked into tracks by ``PoseTracker``.
* ``NTUSkeletonPose``, ``MMAction2PklPose``, ``SyntheticJointsPose``:
  dataset-provided skeletons.
"""
from .base_pose_estimator import PoseEstimator, check_frames
from .joint_layouts import JOINT_LAYOUTS, joint_names, left_right_permutation
from .mediapipe_model_bundle import pose_landmarker_bundle
from .mediapipe_multi_pose_estimator import MediaPipeMultiPoseEstimator
from .mediapipe_pose_estimator import MediaPipePoseEstimator
from .mmaction_pkl_pose import MMAction2PklPose
from .ntu_skeleton_pose import NTUSkeletonPose, parse_ntu_skeleton
from .pose_sequence import PoseSequence, interpolate_invalid
from .pose_tracker import PoseTracker
from .registry import (POSE_ESTIMATORS, POSE_SMOOTHERS, build_pose_estimator,
                       build_pose_smoother)
from .skeleton_file_pose import SkeletonFilePose, rescale_pose_sequence
from .synthetic_joints_pose import SyntheticJointsPose
from .temporal_smoothing import OneEuroFilter

__all__ = [
    'PoseEstimator', 'PoseSequence', 'MediaPipePoseEstimator',
    'MediaPipeMultiPoseEstimator', 'PoseTracker', 'pose_landmarker_bundle',
    'NTUSkeletonPose', 'MMAction2PklPose', 'SyntheticJointsPose',
    'SkeletonFilePose', 'OneEuroFilter', 'POSE_ESTIMATORS', 'POSE_SMOOTHERS',
    'build_pose_estimator', 'build_pose_smoother', 'JOINT_LAYOUTS',
    'joint_names', 'left_right_permutation', 'interpolate_invalid',
    'rescale_pose_sequence', 'parse_ntu_skeleton', 'check_frames'
]
