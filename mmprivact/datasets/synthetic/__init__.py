"""The embedded synthetic benchmark: a learnable action task with private
appearance attributes, person masks and 3D joints (framework-free)."""
from .appearance import IDENTITIES, Identity
from .generator import SPLITS, generate_synthetic_dataset
from .motions import ACTION_NAMES
from .skeleton import BONES, JOINT_NAMES

__all__ = [
    'generate_synthetic_dataset', 'ACTION_NAMES', 'IDENTITIES', 'Identity',
    'JOINT_NAMES', 'BONES', 'SPLITS'
]
