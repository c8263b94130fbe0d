"""Anonymize decoded frames with a trained f_A inside an MMAction2 pipeline."""
import os.path as osp
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...anonymization.learned_anonymizer import LearnedAnonymizer


@TRANSFORMS.register_module()
class LearnedAnonymize(BaseTransform):
    """Replace the decoded frames by a trained f_A's anonymized frames.

    f_A is the learned frame anonymizer of penalty-minimax training (Aslam
    & Nasrollahi 2025), loaded from its checkpoint with
    :func:`mmprivact.models.anonymizers.load_trained_anonymizer` and run
    through :class:`mmprivact.anonymization.LearnedAnonymizer` (the same
    code ``tools/anonymize_videos.py`` uses), so a pipeline with this
    transform sees what an offline anonymized copy of the dataset holds
    (less the video codec's loss).

    Put it right after the decode transform (``DecordDecode`` /
    ``PyAVDecode`` / ``RawFrameDecode``): f_A was trained on decoded RGB
    frames in ``[0, 1]``, before any normalisation, so it must see the raw
    uint8 frames; geometric transforms (Resize, crops, Flip) may come after
    it, and colour transforms and ``Normalize`` (in the data preprocessor)
    must. f_A is loaded lazily on first use, so building a pipeline is
    cheap and each dataloader worker loads its own copy (the loaded model
    is not pickled with the transform). With ``device='cuda'`` and
    dataloader workers, use the ``spawn`` start method (``env_cfg =
    dict(mp_cfg=dict(mp_start_method='spawn'))``): CUDA cannot be used in
    forked workers.

    Frames with a 4th (privacy-mask) channel, from :class:`LoadPrivacyMask`
    or :class:`AvatarAnonymize`, are rejected rather than passed through:
    every output pixel of f_A is computed from real pixels, so a mask
    declaring some pixels non-sensitive would be false after f_A. For the
    same reason, do not add :class:`LoadPrivacyMask` after this transform.

    Required keys: ``imgs`` (a list of (H, W, 3) uint8 RGB frames or a
    (T, H, W, 3) uint8 array, as after MMAction2's decode transforms).
    Modified keys: ``imgs`` (anonymized; same container type, same shapes,
    uint8).

    Args:
        checkpoint (str): Penalty-minimax training checkpoint holding f_A
            (``work_dirs/<config>/epoch_N.pth``).
        anonymizer (dict, optional): f_A's model config, e.g.
            ``dict(type='UNetAnonymizer', ...)``; None (the default) reads
            it from the training config saved in the checkpoint.
        device (str): torch device f_A runs on. Defaults to ``'cpu'``.
        batch_size (int): Frames per forward pass. Defaults to 32.
    """

    def __init__(self,
                 checkpoint: str,
                 anonymizer: Optional[Dict] = None,
                 device: str = 'cpu',
                 batch_size: int = 32) -> None:
        if not isinstance(checkpoint, str) or not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'LearnedAnonymize(checkpoint={checkpoint!r}): file not '
                'found. Train f_A with tools/train.py '
                'configs/penalty_minimax/<config>.py and point checkpoint at '
                'its work_dirs/<config>/epoch_N.pth.')
        if anonymizer is not None and (not isinstance(anonymizer, dict)
                                       or 'type' not in anonymizer):
            raise ValueError(
                'LearnedAnonymize(anonymizer=...) must be None (read f_A\'s '
                "config from the checkpoint) or a dict with a 'type', e.g. "
                f"dict(type='UNetAnonymizer', ...); got {anonymizer!r}.")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f'LearnedAnonymize(batch_size=...) must be a '
                             f'positive int; got {batch_size!r}.')
        self.checkpoint = checkpoint
        self.anonymizer_cfg = anonymizer
        self.device = device
        self.batch_size = batch_size
        self._anonymizer: Optional[LearnedAnonymizer] = None

    def _get_anonymizer(self) -> LearnedAnonymizer:
        if self._anonymizer is None:  # lazily: once per worker process
            self._anonymizer = LearnedAnonymizer(
                self.checkpoint, self.anonymizer_cfg, device=self.device,
                batch_size=self.batch_size)
        return self._anonymizer

    def __getstate__(self) -> Dict:
        # Workers (spawned, or pickled pipelines) load their own f_A.
        state = self.__dict__.copy()
        state['_anonymizer'] = None
        return state

    @staticmethod
    def _check_frame_shapes(shapes) -> None:
        for shape in shapes:
            if len(shape) == 3 and shape[2] == 4:
                raise ValueError(
                    'LearnedAnonymize got 4-channel imgs (the privacy-mask '
                    'channel of LoadPrivacyMask / AvatarAnonymize). f_A '
                    'computes every output pixel from real pixels, so that '
                    'mask would be false after it: put LearnedAnonymize '
                    'right after the decode transform and drop the mask '
                    'transforms from this pipeline.')
            if len(shape) != 3 or shape[2] != 3:
                raise ValueError(
                    'LearnedAnonymize expects decoded RGB frames ((H, W, 3) '
                    f'each) in results["imgs"]; got a frame of shape '
                    f'{tuple(shape)}. Put it right after the decode '
                    'transform.')

    def transform(self, results: Dict) -> Dict:
        """Anonymize ``results['imgs']``."""
        imgs = results['imgs']
        if isinstance(imgs, np.ndarray):
            if imgs.ndim != 4:
                raise ValueError(
                    'LearnedAnonymize expects a (T, H, W, 3) array or a list '
                    f'of (H, W, 3) frames in results["imgs"]; got an array '
                    f'of shape {imgs.shape}.')
            frames_list = list(imgs)
        elif isinstance(imgs, (list, tuple)):
            frames_list = [np.asarray(img) for img in imgs]
        else:
            raise TypeError(
                'LearnedAnonymize expects results["imgs"] to be a list of '
                f'frames or an array; got {type(imgs).__name__}.')
        if not frames_list:
            raise ValueError('LearnedAnonymize got no frames in '
                             'results["imgs"]; put it after the decode '
                             'transform.')
        self._check_frame_shapes({f.shape for f in frames_list})
        dtypes = {f.dtype for f in frames_list}
        if dtypes != {np.dtype(np.uint8)}:
            raise TypeError(
                'LearnedAnonymize expects uint8 frames as the decode '
                f'transforms give them; got {sorted(map(str, dtypes))}. Put '
                'it right after the decode transform, before anything that '
                'converts the frames to float.')
        anonymizer = self._get_anonymizer()
        if isinstance(imgs, np.ndarray):
            results['imgs'] = anonymizer.anonymize_frames(imgs)
            return results
        if len({f.shape for f in frames_list}) == 1:
            out = list(anonymizer.anonymize_frames(np.stack(frames_list)))
        else:  # frames of different sizes: f_A takes any size, one by one
            out = [anonymizer.anonymize_frames(f[None])[0]
                   for f in frames_list]
        results['imgs'] = type(imgs)(out)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(checkpoint={self.checkpoint!r}, '
                f'anonymizer={self.anonymizer_cfg!r}, '
                f'device={self.device!r}, batch_size={self.batch_size})')
