"""Registry of whole-video anonymizers (avatar pipeline, baselines)."""
from typing import Any

from .stage_registry import StageRegistry

#: ``dict(type='AvatarAnonymizer', ...)`` or an obfuscation baseline.
ANONYMIZERS = StageRegistry('anonymizer')


def build_anonymizer(cfg: Any) -> Any:
    """Build an anonymizer: ``anonymizer(frames, fps) -> AnonymizedVideo``.

    Args:
        cfg (dict | object): ``dict(type=NAME, **kwargs)`` or an instance.

    Returns:
        object: The anonymizer.
    """
    from . import avatar_anonymizer, obfuscation_anonymizer  # noqa: F401
    return ANONYMIZERS.build(cfg)
