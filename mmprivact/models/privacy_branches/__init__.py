"""f_B networks: privacy branches trained against f_A."""
from .contrastive_privacy_branch import ContrastivePrivacyBranch
from .frame_views import FrameViewAugmenter
from .region_crop import RegionCropper

__all__ = ['ContrastivePrivacyBranch', 'FrameViewAugmenter',
           'RegionCropper']
