"""Classical baselines behind the anonymizer interface: segment, obfuscate."""
import time
from typing import Any, Optional

import numpy as np

from .anonymized_video import AnonymizedVideo
from .anonymizer_registry import ANONYMIZERS
from .array_checks import dilate_masks


@ANONYMIZERS.register()
class ObfuscationAnonymizer:
    """Blur, pixelate or black out each person, for comparison with avatars.

    The privacy mask is honest about what is left: blurred and pixelated
    pixels are still computed from the real person, so they stay sensitive
    (``non_sensitive`` all False); a blacked-out region holds no real pixel,
    so it is non-sensitive.

    Args:
        segmenter (dict | object): Person segmenter config
            (:mod:`.segmentation`). Defaults to MediaPipe's bundled selfie
            segmenter.
        obfuscator (dict | object): Obfuscator config (:mod:`.obfuscation`),
            e.g. ``dict(type='GaussianBlurObfuscator', sigma=8)``.
    """

    def __init__(self,
                 segmenter: Any = dict(type='MediaPipeSelfieSegmenter'),
                 obfuscator: Any = dict(type='GaussianBlurObfuscator')
                 ) -> None:
        from .obfuscation import BlackoutObfuscator, build_obfuscator
        from .segmentation import build_segmenter
        self.segmenter = build_segmenter(segmenter)
        self.obfuscator = build_obfuscator(obfuscator)
        self._replaces_content = isinstance(self.obfuscator,
                                            BlackoutObfuscator)

    def __call__(self,
                 frames: np.ndarray,
                 fps: Optional[float] = None,
                 source: Optional[str] = None,
                 seed: Optional[int] = None) -> AnonymizedVideo:
        """Obfuscate the people of one clip.

        Args:
            frames (np.ndarray): (T, H, W, 3) uint8 RGB.
            fps (float, optional): Unused; the batch tool's interface.
            source (str, optional): Clip identifier for mask-file segmenters.
            seed (int, optional): Unused (the baselines are deterministic).

        Returns:
            AnonymizedVideo: Frames, ``non_sensitive`` mask and stage times.
        """
        times = {}
        start = time.perf_counter()
        people = self.segmenter(frames, source)
        times['segmentation'] = time.perf_counter() - start
        start = time.perf_counter()
        out = self.obfuscator(frames, people)
        times['obfuscate'] = time.perf_counter() - start
        if self._replaces_content:
            non_sensitive = dilate_masks(people, self.obfuscator.dilate)
        else:
            non_sensitive = np.zeros_like(people)
        result = AnonymizedVideo(out, non_sensitive, times,
                                 extras=dict(person_mask=people))
        result.check_matches(frames)
        return result
