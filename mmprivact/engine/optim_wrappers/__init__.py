"""Optimizer wrappers for private training."""
from .maskdp_optim_wrapper import MaskDPOptimWrapper
from .maskdp_optim_wrapper_constructor import MaskDPOptimWrapperConstructor
from .per_module_optim_wrapper_constructor import \
    PerModuleOptimWrapperConstructor

__all__ = [
    'MaskDPOptimWrapper', 'MaskDPOptimWrapperConstructor',
    'PerModuleOptimWrapperConstructor'
]
