"""Privacy-leakage measurement: attackers that read private attributes."""
from .frame_attribute_probe import (FrameAttributeProbe,
                                    load_labelled_frames,
                                    train_attribute_probe)

__all__ = [
    'FrameAttributeProbe', 'load_labelled_frames', 'train_attribute_probe'
]
