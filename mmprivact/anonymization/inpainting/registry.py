"""Registry and builder of inpainting backends."""
from typing import Any

from ..stage_registry import StageRegistry

#: Inpainting backends, built from ``dict(type=NAME, **kwargs)``.
INPAINTERS = StageRegistry('inpainting')


def build_inpainter(cfg: Any) -> Any:
    """Build an inpainter from a config dict (or pass an instance through).

    Args:
        cfg (dict | BaseInpainter): e.g. ``dict(type='OpenCVInpainter',
            radius=5)``.

    Returns:
        BaseInpainter: The backend.
    """
    return INPAINTERS.build(cfg)
