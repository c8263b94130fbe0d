"""Data transforms (registered in MMAction2's TRANSFORMS)."""
from .avatar_anonymize import AvatarAnonymize
from .learned_anonymize import LearnedAnonymize
from .load_privacy_mask import (LoadPrivacyMask, SplitPrivacyMask,
                                privacy_mask_path, sidecar_mask_path)

__all__ = [
    'AvatarAnonymize', 'LearnedAnonymize', 'LoadPrivacyMask',
    'SplitPrivacyMask', 'privacy_mask_path', 'sidecar_mask_path'
]
