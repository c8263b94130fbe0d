"""Avatar anonymization: a framework-free pipeline (numpy / torch).

Nothing here imports MMEngine or MMAction2; heavy optional dependencies
(pyrender, smplx, diffusers, mediapipe) are imported where they are used.
Each stage lives in its own subpackage with a small interface and
interchangeable backends built from config dicts by the stage's
:class:`~mmprivact.anonymization.stage_registry.StageRegistry`.
"""
from .stage_registry import StageRegistry

__all__ = ['StageRegistry']
