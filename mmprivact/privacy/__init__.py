"""Privacy maths, kept apart from the training wiring."""
from .accountant import (ACCOUNTANTS, PrivacyAccountant,
                         calibrate_noise_multiplier, compute_epsilon,
                         epsilon_of_history)
from .audit_bounds import (clopper_pearson, epsilon_from_rates,
                           epsilon_interval, epsilon_lower_bound,
                           split_threshold_audit)
from .ghost_clipping import GhostClipper, build_ghost_clipper
from .masked_aggregation import (clip_per_video, masked_dp_aggregate,
                                 privatize_clipped_sum, sum_rows_per_video)
from .per_sample_grads import (check_per_sample_privacy,
                               convert_batchnorm_to_groupnorm,
                               make_per_sample, per_sample_grads)

__all__ = [
    'ACCOUNTANTS', 'PrivacyAccountant', 'compute_epsilon',
    'calibrate_noise_multiplier', 'epsilon_of_history',
    'masked_dp_aggregate', 'clip_per_video', 'sum_rows_per_video',
    'privatize_clipped_sum', 'GhostClipper', 'build_ghost_clipper',
    'check_per_sample_privacy', 'convert_batchnorm_to_groupnorm',
    'make_per_sample', 'per_sample_grads', 'clopper_pearson',
    'epsilon_from_rates', 'epsilon_interval', 'epsilon_lower_bound',
    'split_threshold_audit'
]
