"""Registry and builder of obfuscation baselines."""
from typing import Any

from ..stage_registry import StageRegistry

#: Obfuscation backends, built from ``dict(type=NAME, **kwargs)``.
OBFUSCATORS = StageRegistry('obfuscation')


def build_obfuscator(cfg: Any) -> Any:
    """Build an obfuscator from a config dict (or pass an instance through).

    Args:
        cfg (dict | BaseObfuscator): e.g. ``dict(type='PixelateObfuscator',
            block_size=16)``.

    Returns:
        BaseObfuscator: The backend.
    """
    return OBFUSCATORS.build(cfg)
