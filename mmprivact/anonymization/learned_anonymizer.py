"""A trained f_A (penalty-minimax anonymizer) behind the anonymizer
interface, so ``tools/anonymize_videos.py`` can write an anonymized copy of a
dataset with it."""
import os.path as osp
import time
from typing import Any, Dict, Optional

import numpy as np

from .anonymized_video import AnonymizedVideo
from .anonymizer_registry import ANONYMIZERS
from .array_checks import check_frames


@ANONYMIZERS.register()
class LearnedAnonymizer:
    """Run a trained frame anonymizer f_A over every frame of a clip.

    f_A comes from a penalty-minimax training checkpoint (Aslam &
    Nasrollahi 2025; weights under ``anonymizer.`` in the state dict) and
    is loaded with
    :func:`mmprivact.models.anonymizers.load_trained_anonymizer`. Frames
    are fed as RGB in ``[0, 1]`` (what f_A was trained on, before any
    normalisation), ``batch_size`` at a time, and the output is rounded
    back to uint8.

    The privacy mask ``non_sensitive`` is all False: every output pixel is
    computed by a network from real pixels (its receptive field covers the
    person), so nothing in the output is synthetic in the MaskDP sense, and
    a MaskDP mask made for the input does not carry over to the output.

    torch and the model code (which needs MMEngine / MMAction2) are
    imported when an instance is built, not with the module, so
    :mod:`mmprivact.anonymization` stays importable without them.

    Args:
        checkpoint (str): Penalty-minimax checkpoint, e.g.
            ``work_dirs/<config>/epoch_N.pth`` from ``tools/train.py
            configs/penalty_minimax/<config>.py``.
        anonymizer (dict, optional): f_A's model config, e.g.
            ``dict(type='UNetAnonymizer', ...)``; None (the default) reads
            it from the training config saved in the checkpoint.
        device (str): torch device f_A runs on. Defaults to ``'cpu'``.
        batch_size (int): Frames per forward pass. Defaults to 32.
    """

    def __init__(self,
                 checkpoint: str,
                 anonymizer: Optional[Dict[str, Any]] = None,
                 device: str = 'cpu',
                 batch_size: int = 32) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f'LearnedAnonymizer(batch_size=...) must be a '
                             f'positive int; got {batch_size!r}.')
        if not isinstance(checkpoint, str) or not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'LearnedAnonymizer(checkpoint={checkpoint!r}): file not '
                'found. Train f_A with tools/train.py '
                'configs/penalty_minimax/<config>.py and pass its '
                'work_dirs/<config>/epoch_N.pth (e.g. --cfg-options '
                'checkpoint=PATH in tools/anonymize_videos.py).')
        from mmprivact.models.anonymizers import load_trained_anonymizer
        self.checkpoint = checkpoint
        self.device = device
        self.batch_size = batch_size
        if anonymizer is not None:
            anonymizer = dict(anonymizer)
        self.model = load_trained_anonymizer(checkpoint, anonymizer, device)

    def anonymize_frames(self, frames: np.ndarray) -> np.ndarray:
        """Apply f_A to every frame.

        Args:
            frames (np.ndarray): (T, H, W, 3) uint8 RGB.

        Returns:
            np.ndarray: (T, H, W, 3) uint8 RGB, f_A's output rounded.
        """
        import torch  # here, not at the top: see the class docstring
        check_frames('frames', frames)
        out = np.empty_like(frames)
        with torch.inference_mode():
            for start in range(0, len(frames), self.batch_size):
                chunk = np.ascontiguousarray(
                    frames[start:start + self.batch_size])
                x = torch.from_numpy(chunk).to(self.device)
                x = x.permute(0, 3, 1, 2).float().div_(255.0)
                y = self.model(x).mul_(255.0).round_().clamp_(0, 255)
                out[start:start + len(chunk)] = y.to(torch.uint8).permute(
                    0, 2, 3, 1).cpu().numpy()
        return out

    def __call__(self,
                 frames: np.ndarray,
                 fps: Optional[float] = None,
                 source: Optional[str] = None,
                 seed: Optional[int] = None) -> AnonymizedVideo:
        """Anonymize one clip.

        Args:
            frames (np.ndarray): (T, H, W, 3) uint8 RGB.
            fps (float, optional): Unused; the batch tool's interface.
            source (str, optional): Unused (f_A needs no side files).
            seed (int, optional): Unused (f_A is deterministic).

        Returns:
            AnonymizedVideo: The anonymized frames, ``non_sensitive`` all
            False, and ``stage_seconds`` ``{'anonymize': s}``.
        """
        start = time.perf_counter()
        out = self.anonymize_frames(frames)
        seconds = time.perf_counter() - start
        result = AnonymizedVideo(out, np.zeros(frames.shape[:3], np.bool_),
                                 dict(anonymize=seconds))
        result.check_matches(frames)
        return result

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(checkpoint={self.checkpoint!r}, '
                f'device={self.device!r}, batch_size={self.batch_size})')
