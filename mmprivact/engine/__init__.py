"""Training-loop components: runner, hooks, optimizer wrappers."""
from .hooks import PrivacyAccountantHook
from .optim_wrappers import MaskDPOptimWrapper, MaskDPOptimWrapperConstructor
from .runner import TrustedCheckpointRunner

__all__ = [
    'MaskDPOptimWrapper', 'MaskDPOptimWrapperConstructor',
    'PrivacyAccountantHook', 'TrustedCheckpointRunner'
]
