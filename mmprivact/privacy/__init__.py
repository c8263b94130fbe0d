"""Privacy maths, kept apart from the training wiring."""
from .accountant import (ACCOUNTANTS, PrivacyAccountant,
                         calibrate_noise_multiplier, compute_epsilon,
                         epsilon_of_history)

__all__ = [
    'ACCOUNTANTS', 'PrivacyAccountant', 'compute_epsilon',
    'calibrate_noise_multiplier', 'epsilon_of_history'
]
