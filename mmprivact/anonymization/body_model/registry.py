"""Registry and builder of the body-model stage's backends."""
from typing import Any

from ..stage_registry import StageRegistry

#: Body fitters (3D joints -> posed SMPL-H mesh), e.g. ``JointFitter``.
BODY_FITTERS = StageRegistry('body_model')


def build_body_fitter(cfg: Any) -> Any:
    """Build a body fitter from ``dict(type=NAME, **kwargs)``.

    Args:
        cfg (dict | BaseBodyFitter): Config or an already built fitter.

    Returns:
        BaseBodyFitter: The fitter.
    """
    return BODY_FITTERS.build(cfg)
