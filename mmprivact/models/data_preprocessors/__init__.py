"""Data preprocessors (registered in MMAction2's MODELS)."""
from .maskdp_data_preprocessor import MaskDPDataPreprocessor
from .public_fill import PublicTextureBank, make_public_texture, video_key

__all__ = [
    'MaskDPDataPreprocessor', 'PublicTextureBank', 'make_public_texture',
    'video_key'
]
