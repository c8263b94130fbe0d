"""Registry and builder of compositing backends."""
from typing import Any

from ..stage_registry import StageRegistry

#: Compositing backends, built from ``dict(type=NAME, **kwargs)``.
COMPOSITORS = StageRegistry('compositing')


def build_compositor(cfg: Any) -> Any:
    """Build a compositor from a config dict (or pass an instance through).

    Args:
        cfg (dict | BaseCompositor): e.g. ``dict(type='DepthAwareCompositor',
            feather=2)``.

    Returns:
        BaseCompositor: The backend.
    """
    return COMPOSITORS.build(cfg)
