"""Privacy-leakage measurement: attackers that read private attributes."""
from . import metrics, privacy_attribute_sets
from .audit_run_log import AuditRunLog
from .canary_audit import CanaryAudit
from .canary_records import CanaryRecords
from .frame_attribute_probe import (FrameAttributeProbe,
                                    load_labelled_frames,
                                    train_attribute_probe)
from .metrics import PrivacyLeakageMetric
from .multilabel_scores import (average_precision,
                                class_mean_average_precision, f1_per_class,
                                macro_f1, top1_accuracy)
from .paired_seed_comparison import PairedSeedComparison
from .privacy_attacker import (PrivacyAttacker, anonymize_frames,
                               leakage_metrics, train_and_score)
from .privacy_attribute_sets import PrivacyAttributeSplit
from .run_results import read_run_result

__all__ = [
    'AuditRunLog', 'CanaryAudit', 'CanaryRecords',
    'FrameAttributeProbe', 'load_labelled_frames', 'train_attribute_probe',
    'metrics', 'privacy_attribute_sets', 'PrivacyLeakageMetric',
    'average_precision', 'class_mean_average_precision', 'f1_per_class',
    'macro_f1', 'top1_accuracy', 'PrivacyAttacker', 'anonymize_frames',
    'leakage_metrics', 'train_and_score', 'PrivacyAttributeSplit',
    'PairedSeedComparison', 'read_run_result'
]
