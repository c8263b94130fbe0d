"""Training-loop components: runner, hooks, optimizer wrappers."""
from .runner import TrustedCheckpointRunner

__all__ = ['TrustedCheckpointRunner']
