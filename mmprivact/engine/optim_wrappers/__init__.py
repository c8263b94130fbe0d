"""Optimizer wrappers for private training."""
from .maskdp_optim_wrapper import MaskDPOptimWrapper
from .maskdp_optim_wrapper_constructor import MaskDPOptimWrapperConstructor

__all__ = ['MaskDPOptimWrapper', 'MaskDPOptimWrapperConstructor']
