"""Data transforms (registered in MMAction2's TRANSFORMS)."""
from .load_privacy_mask import (LoadPrivacyMask, SplitPrivacyMask,
                                privacy_mask_path)

__all__ = ['LoadPrivacyMask', 'SplitPrivacyMask', 'privacy_mask_path']
