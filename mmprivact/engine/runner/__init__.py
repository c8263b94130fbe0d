"""Runner and checkpoint loading that keep ``weights_only`` protection."""
from .build import build_runner
from .checkpoint_trust import (is_trusted_checkpoint,
                               register_trusted_local_loader, sign_checkpoint)
from .process_group import release_process_group
from .trusted_checkpoint_runner import TrustedCheckpointRunner

register_trusted_local_loader()

__all__ = [
    'TrustedCheckpointRunner', 'build_runner', 'sign_checkpoint', 'is_trusted_checkpoint',
    'register_trusted_local_loader', 'release_process_group'
]
