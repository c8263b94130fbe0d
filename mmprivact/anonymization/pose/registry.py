"""Registries and builders of pose backends and temporal smoothers."""
from typing import Any

from ..stage_registry import StageRegistry

POSE_ESTIMATORS = StageRegistry('pose')
POSE_SMOOTHERS = StageRegistry('pose smoothing')


def build_pose_estimator(cfg: Any) -> Any:
    """Build a :class:`~.base_pose_estimator.PoseEstimator` from a config.

    Args:
        cfg (dict | PoseEstimator): e.g.
            ``dict(type='MediaPipePoseEstimator', fov_deg=60)`` or
            ``dict(type='NTUSkeletonPose', skeleton_root='data/ntu/skel')``,
            or an already built estimator (returned as is).

    Returns:
        PoseEstimator: The backend.
    """
    # Importing the backends registers them (mediapipe itself is imported
    # lazily by its backend's constructor).
    from . import (
        mediapipe_multi_pose_estimator,
        mediapipe_pose_estimator,
        mmaction_pkl_pose,  # noqa: F401
        ntu_skeleton_pose,
        synthetic_joints_pose)
    return POSE_ESTIMATORS.build(cfg)


def build_pose_smoother(cfg: Any) -> Any:
    """Build a temporal smoother (``dict(type='OneEuro', ...)``) or None.

    Args:
        cfg (dict | object | None): Smoother config, a built smoother, or
            None for no smoothing.

    Returns:
        OneEuroFilter | None: The smoother.
    """
    from . import temporal_smoothing  # noqa: F401
    if cfg is None:
        return None
    return POSE_SMOOTHERS.build(cfg)
