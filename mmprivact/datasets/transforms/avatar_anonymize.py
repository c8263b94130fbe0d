"""Online avatar anonymization inside an MMAction2 data pipeline."""
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...anonymization.clip_files import video_seed
from .load_privacy_mask import SENSITIVE


@TRANSFORMS.register_module()
class AvatarAnonymize(BaseTransform):
    """Run an anonymizer on the decoded frames and attach its privacy mask.

    Put it right after decoding (``DecordDecode`` / ``PyAVDecode`` /
    ``RawFrameDecode``), where ``imgs`` are the sampled RGB frames. The
    frames are replaced by the anonymized ones; the mask of what is
    synthetic (``True`` = non-sensitive, the format of
    :class:`LoadPrivacyMask`'s sidecars) is stored as ``privacy_mask_raw``
    and, with ``as_channel=True``, stacked onto the frames as the mask
    channel :class:`LoadPrivacyMask` uses, so that every geometric transform
    moves it with the pixels and :class:`SplitPrivacyMask` takes it off
    before packing. Online anonymization is slow (seconds per clip on a
    CPU); for training, anonymize the dataset once with
    ``tools/anonymize_videos.py`` and use :class:`LoadPrivacyMask`.

    The anonymizer sees only the sampled frames, so temporal stages (the
    background model, smoothing) work with those.

    Required keys: ``imgs``; ``filename`` (optional; the avatar's seed and
    the source id of dataset-skeleton backends). Added keys:
    ``privacy_mask_raw`` (bool (T, H, W)). Modified keys: ``imgs``
    (anonymized; (H, W, 4) float32 with the mask channel when
    ``as_channel``).

    Args:
        anonymizer (dict): Anonymizer config for
            :func:`mmprivact.anonymization.build_anonymizer`, e.g.
            ``dict(type='AvatarAnonymizer')`` (the offline default
            pipeline). Built lazily, once per worker process.
        as_channel (bool): Stack the mask onto ``imgs`` as a 4th channel
            (255 = sensitive). Defaults to True.
        seed (int, optional): Fixed avatar seed for every video; None (the
            default) derives it from ``filename``.
    """

    def __init__(self,
                 anonymizer: Dict = dict(type='AvatarAnonymizer'),
                 as_channel: bool = True,
                 seed: Optional[int] = None) -> None:
        if not isinstance(anonymizer, dict) or 'type' not in anonymizer:
            raise ValueError(
                'AvatarAnonymize(anonymizer=...) needs a config dict with a '
                f"'type', e.g. dict(type='AvatarAnonymizer'); got "
                f'{anonymizer!r}.')
        self.anonymizer_cfg = anonymizer
        self.as_channel = as_channel
        self.seed = seed
        self._anonymizer = None

    def _get_anonymizer(self):
        if self._anonymizer is None:  # lazily: GL contexts must not fork
            from mmprivact.anonymization import build_anonymizer
            self._anonymizer = build_anonymizer(dict(self.anonymizer_cfg))
        return self._anonymizer

    def transform(self, results: Dict) -> Dict:
        """Anonymize ``results['imgs']``."""
        imgs = results['imgs']
        if not len(imgs) or np.asarray(imgs[0]).ndim != 3 or \
                np.asarray(imgs[0]).shape[2] != 3:
            raise ValueError(
                'AvatarAnonymize expects decoded RGB frames (a list of '
                '(H, W, 3) arrays) in results["imgs"]; put it right after '
                'the decode transform.')
        frames = np.stack([np.asarray(img, dtype=np.uint8) for img in imgs])
        filename = results.get('filename') or ''
        seed = self.seed if self.seed is not None else video_seed(filename)
        out = self._get_anonymizer()(frames, None, source=filename or None,
                                     seed=seed)
        mask = out.non_sensitive
        results['privacy_mask_raw'] = mask
        if self.as_channel:
            results['imgs'] = [
                np.dstack([f.astype(np.float32),
                           (~m).astype(np.float32) * SENSITIVE])
                for f, m in zip(out.frames, mask)
            ]
        else:
            results['imgs'] = list(out.frames)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(anonymizer='
                f'{self.anonymizer_cfg!r}, as_channel={self.as_channel}, '
                f'seed={self.seed})')
