"""MMEngine metrics (``METRICS``) for privacy leakage."""
from .privacy_leakage_metric import PrivacyLeakageMetric

__all__ = ['PrivacyLeakageMetric']
