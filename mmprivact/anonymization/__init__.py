"""Avatar anonymization: a framework-free pipeline (numpy / torch).

Nothing here imports MMEngine or MMAction2; heavy optional dependencies
(pyrender, smplx, diffusers, mediapipe) are imported where they are used.
Each stage lives in its own subpackage with a small interface and
interchangeable backends built from config dicts by the stage's
:class:`~mmprivact.anonymization.stage_registry.StageRegistry`:
``pose``, ``segmentation``, ``body_model``, ``renderer``, ``inpainting``,
``compositing``, ``refinement`` and the ``obfuscation`` baselines.
:class:`AvatarAnonymizer` chains them; :class:`VideoBatchJob` runs an
anonymizer over a dataset.
"""
from .anonymized_video import AnonymizedVideo
from .anonymizer_registry import ANONYMIZERS, build_anonymizer
from .avatar_anonymizer import AvatarAnonymizer
from .learned_anonymizer import LearnedAnonymizer
from .obfuscation_anonymizer import ObfuscationAnonymizer
from .stage_registry import StageRegistry
from .video_batch_job import VideoBatchJob

__all__ = [
    'AnonymizedVideo', 'ANONYMIZERS', 'build_anonymizer', 'AvatarAnonymizer',
    'LearnedAnonymizer', 'ObfuscationAnonymizer', 'StageRegistry',
    'VideoBatchJob'
]
