"""Data samplers (registered in MMAction2's DATA_SAMPLERS)."""
from .poisson_batch_sampler import PoissonBatchSampler

__all__ = ['PoissonBatchSampler']
