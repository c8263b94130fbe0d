"""Registry and builder of renderer backends."""
from typing import Any

from ..stage_registry import StageRegistry

RENDERERS = StageRegistry('renderer')


def build_renderer(cfg: Any) -> Any:
    """Build a :class:`~.base_mesh_renderer.MeshRenderer` from a config.

    Args:
        cfg (dict | MeshRenderer): ``dict(type='PyrenderRenderer', ...)`` or
            an already built renderer (returned as is).

    Returns:
        MeshRenderer: The renderer.
    """
    # Importing the backends registers them.
    from . import pyrender_renderer  # noqa: F401
    return RENDERERS.build(cfg)
