"""Registry and builder of refinement backends."""
from typing import Any

from ..stage_registry import StageRegistry

#: Refinement backends, built from ``dict(type=NAME, **kwargs)``.
REFINERS = StageRegistry('refinement')


def build_refiner(cfg: Any) -> Any:
    """Build a refiner from a config dict (or pass an instance through).

    Refinement is optional and off by default: ``cfg=None`` returns None,
    and the pipeline then skips the stage (no copy, no model). An explicit
    no-op stage is ``dict(type='IdentityRefiner')``.

    Args:
        cfg (dict | BaseRefiner | None): e.g. ``dict(
            type='DiffusersImg2ImgRefiner', model_dir='weights/sd15',
            strength=0.3)``, or None for "off".

    Returns:
        BaseRefiner | None: The backend, or None when ``cfg`` is None.
    """
    if cfg is None:
        return None
    return REFINERS.build(cfg)
