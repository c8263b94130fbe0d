"""f_A networks: learned image-to-image anonymizers."""
from .trained_anonymizer import (ANONYMIZER_PREFIX,
                                 anonymizer_cfg_from_checkpoint,
                                 load_trained_anonymizer)
from .unet_anonymizer import UNetAnonymizer

__all__ = [
    'UNetAnonymizer', 'load_trained_anonymizer',
    'anonymizer_cfg_from_checkpoint', 'ANONYMIZER_PREFIX'
]
