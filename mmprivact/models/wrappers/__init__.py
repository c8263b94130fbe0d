"""Model wrappers: data-parallel training of self-synchronizing models."""
from .gradient_averaging import average_gradients
from .train_step_data_parallel import TrainStepDataParallel

__all__ = ['TrainStepDataParallel', 'average_gradients']
