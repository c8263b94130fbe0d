"""Registry of whole-video anonymizers (avatar pipeline, baselines, f_A)."""
from typing import Any

from .stage_registry import StageRegistry

#: ``dict(type='AvatarAnonymizer', ...)``, an obfuscation baseline or a
#: trained f_A (``LearnedAnonymizer``).
ANONYMIZERS = StageRegistry('anonymizer')


def build_anonymizer(cfg: Any) -> Any:
    """Build an anonymizer: ``anonymizer(frames, fps) -> AnonymizedVideo``.

    Args:
        cfg (dict | object): ``dict(type=NAME, **kwargs)`` or an instance.

    Returns:
        object: The anonymizer.
    """
    from . import (avatar_anonymizer, learned_anonymizer,  # noqa: F401
                   obfuscation_anonymizer)
    return ANONYMIZERS.build(cfg)
