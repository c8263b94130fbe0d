"""Losses of the penalty-minimax method: NT-Xent for f_B, the budget
penalty for f_A."""
from .budget_penalty import BudgetPenalty
from .nt_xent_loss import NTXentLoss

__all__ = ['NTXentLoss', 'BudgetPenalty']
