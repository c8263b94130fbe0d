"""Hooks for private training."""
from .privacy_accountant_hook import PrivacyAccountantHook

__all__ = ['PrivacyAccountantHook']
