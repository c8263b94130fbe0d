"""Privacy-utility sweeps: train and test a grid of methods x epsilons x
seeds, then report top-1, per-class accuracy, example frames and the exact
privacy parameters of every run (``tools/analysis/privacy_sweep.py``)."""
from .command_runner import CommandFailedError, CommandRunner
from .dataset_info import DatasetInfo
from .example_frames import ExampleFrames
from .prediction_accuracy import class_accuracy, load_predictions
from .report_document import ReportDocument
from .run_status import RunStatus
from .sweep_grid import SweepGrid
from .sweep_method import SweepMethod
from .sweep_report import SweepReport
from .sweep_results import SweepResults, mean_std
from .sweep_run import SweepRun
from .sweep_runner import SweepRunner

__all__ = [
    'CommandFailedError', 'CommandRunner', 'DatasetInfo', 'ExampleFrames',
    'class_accuracy', 'load_predictions', 'ReportDocument', 'RunStatus',
    'SweepGrid', 'SweepMethod', 'SweepReport', 'SweepResults', 'mean_std',
    'SweepRun', 'SweepRunner'
]
