"""The two neighbouring versions of a canary record for a privacy audit.

An audit trains many times in two worlds that differ in one record, the
canary, and tries to tell the worlds apart from the trained models.
Which change of the record the guarantee covers depends on the adjacency:
MaskDP's masked adjacency covers only the *sensitive* part of a record
(``shared/DESIGN.md``, "MaskDP, precisely").
"""
import copy
from typing import Dict, Tuple

import numpy as np
import torch

from mmprivact.models.data_preprocessors.public_fill import (
    make_public_texture, video_key)

CANARY_KINDS = ('sensitive', 'nonsensitive')

#: Colours of the checkerboard (0..255 RGB): saturated magenta and green,
#: far from the synthetic set's rooms and figures.
PATTERN_COLOURS = ((255.0, 0.0, 255.0), (0.0, 255.0, 0.0))


def checkerboard(frames: int, height: int, width: int, *,
                 square: int = 4,
                 colours=PATTERN_COLOURS) -> torch.Tensor:
    """A static two-colour checkerboard video, (3, T, H, W) in 0..255.

    Args:
        frames (int): T.
        height (int): H.
        width (int): W.
        square (int): Side of one square in pixels. Defaults to 4.
        colours (tuple): Two RGB colours. Defaults to
            :data:`PATTERN_COLOURS`.

    Returns:
        Tensor: float32 RGB frames.
    """
    if square < 1:
        raise ValueError(f'square must be >= 1 pixel, got {square!r}.')
    rows = torch.arange(height).view(-1, 1) // square
    cols = torch.arange(width).view(1, -1) // square
    odd = ((rows + cols) % 2).bool()  # (H, W)
    first, second = (torch.tensor(c).view(3, 1, 1) for c in colours)
    image = torch.where(odd, second, first)  # (3, H, W)
    return image.unsqueeze(1).expand(3, frames, height, width).clone()


class CanaryRecords:
    """Builds the WITH and WITHOUT versions of a canary record.

    * ``kind='sensitive'``: the pattern fills the record's *sensitive*
      pixels (privacy mask ``False``). WITH is the record with the pattern
      there; WITHOUT is the record with its sensitive part *removed* in
      MaskDP's sense: its sensitive pixels hold exactly what the data
      preprocessor's masked view puts there (the public texture of the
      video, or the constant fill), so ``x = x_ns``, ``g = h`` and the
      record contributes ``clip_C(g - h) = 0``. The worlds are
      masked-adjacent (add/remove of a sensitive part, sensitivity C).
    * ``kind='nonsensitive'``: the pattern fills the *non-sensitive* pixels
      (mask ``True``); WITHOUT is the record unchanged. The worlds differ
      in public content, which MaskDP does not protect by design.

    A third record, the *decoy*, is in the training set of *both* worlds:
    a copy of the WITHOUT version (pixels, mask, file name, hence also its
    masked view) with another label (``decoy_label``). It makes the
    canary's label
    unpredictable from anything but the pattern: in the WITHOUT world two
    identical videos carry two labels, in the WITH world only the pattern
    tells the canary from the decoy. Without it a model fits the canary's
    label from its public features alone (its figure, or being the only
    video without one) in both worlds, and the pattern adds little. The
    decoy is the same in both worlds, so it does not change what differs
    between them.

    The non-sensitive pixels, the mask and the label are the same in both
    versions for ``'sensitive'``; the sensitive pixels and the mask for
    ``'nonsensitive'``.

    ``whole_video=True`` declares the whole canary video of the canary's
    kind: for ``'sensitive'`` its mask becomes all ``False`` (a video with
    no avatar; WITH is the pattern alone, WITHOUT the fill alone), for
    ``'nonsensitive'`` all ``True`` (a fully synthetic video; WITH is the
    pattern alone, WITHOUT the original video). The pattern then covers
    the whole video: the strongest canary of its kind. The mask is public
    and the same in both worlds, so for ``'sensitive'`` they stay
    masked-adjacent.

    Args:
        kind (str): ``'sensitive'`` or ``'nonsensitive'``.
        preprocessor (MaskDPDataPreprocessor): The model's data
            preprocessor; its fill defines the removed sensitive part.
        label (int): The canary's label.
        decoy_label (int): The decoy's label (not ``label``).
        square (int): Checkerboard square side in pixels. Defaults to 4.
        whole_video (bool): Give every pixel of the canary the canary's
            kind (see above). Defaults to False: the video's own mask.
    """

    def __init__(self, *, kind: str, preprocessor, label: int,
                 decoy_label: int, square: int = 4,
                 whole_video: bool = False) -> None:
        if kind not in CANARY_KINDS:
            raise ValueError(f'kind must be one of {CANARY_KINDS}, got '
                             f'{kind!r}.')
        if int(decoy_label) == int(label):
            raise ValueError(
                f'decoy_label must differ from the canary label {label}, '
                f'got {decoy_label}; the decoy exists to carry another '
                'label.')
        if not hasattr(preprocessor, 'masked_view'):
            raise TypeError(
                'CanaryRecords needs the model\'s MaskDPDataPreprocessor '
                f'(for its fill), got {type(preprocessor).__name__}; set '
                "model.data_preprocessor.type='MaskDPDataPreprocessor'.")
        self.kind = kind
        self.preprocessor = preprocessor
        self.label = int(label)
        self.decoy_label = int(decoy_label)
        self.square = int(square)
        self.whole_video = bool(whole_video)
        #: Largest |x - x_ns| of the last WITHOUT record (sensitive kind).
        self.removed_gap = None

    def _raw_fill(self, inputs: torch.Tensor, metainfo: dict) -> torch.Tensor:
        """Unnormalised pixels whose normalisation is the masked view's
        fill: (3, 1, H, W), broadcasting over frames."""
        pre = self.preprocessor
        height, width = inputs.shape[-2:]
        if pre.fill == 'public_texture':
            image = make_public_texture(pre.fill_seed, video_key(metainfo),
                                        height, width)
            fill = torch.from_numpy(np.ascontiguousarray(image)).float()
            fill = fill.permute(2, 0, 1).unsqueeze(1)  # (3, 1, H, W)
        else:
            fill = torch.full((3, 1, height, width), pre.fill_value)
            if pre._enable_normalize:
                mean = pre.mean.detach().cpu().view(3, 1, 1, 1)
                std = pre.std.detach().cpu().view(3, 1, 1, 1)
                fill = fill * std + mean
        if getattr(pre, 'to_rgb', False):
            fill = fill[[2, 1, 0]]  # the preprocessor flips inputs back
        return fill

    def build(self, record: Dict) -> Tuple[Dict, Dict, Dict]:
        """The WITH and WITHOUT versions of ``record``, and the decoy.

        Args:
            record (dict): A packed record (``inputs``: (N, 3, T, H, W)
                float, ``data_samples``: an ``ActionDataSample`` with
                ``privacy_mask`` (N, T, H, W), True = non-sensitive).

        Returns:
            tuple[dict, dict, dict]: ``(with_record, without_record,
            decoy_record)``, new objects; the first two with the canary's
            label.

        Raises:
            ValueError: If the record has no pixel of the kind to change.
            RuntimeError: If the WITHOUT version of a sensitive canary is
                not the preprocessor's masked view.
        """
        inputs = record['inputs']
        sample = record['data_samples']
        mask = sample.metainfo.get('privacy_mask')
        if inputs.ndim != 5 or inputs.shape[1] != 3:
            raise ValueError(
                'CanaryRecords needs NCTHW RGB inputs (clips, 3, T, H, W), '
                f'got shape {tuple(inputs.shape)}.')
        if mask is None:
            raise KeyError(
                'The canary record has no privacy_mask; add '
                "LoadPrivacyMask / SplitPrivacyMask and 'privacy_mask' in "
                'PackActionInputs(meta_keys=...) to the pipeline.')
        mask = np.asarray(mask)
        if self.whole_video:
            mask = np.full(mask.shape, self.kind == 'nonsensitive')
        keep = torch.as_tensor(mask).bool().unsqueeze(1)
        target = ~keep if self.kind == 'sensitive' else keep
        if not target.any():
            raise ValueError(
                f'The canary record has no {self.kind} pixel to carry the '
                'pattern; choose another record (canary_index).')
        frames, height, width = inputs.shape[-3:]
        pattern = checkerboard(frames, height, width, square=self.square)
        with_inputs = torch.where(target, pattern.to(inputs.dtype), inputs)
        if self.kind == 'sensitive':
            fill = self._raw_fill(inputs, sample.metainfo).to(inputs.dtype)
            without_inputs = torch.where(keep, inputs, fill)
        else:
            without_inputs = inputs.clone()
        versions = []
        for new_inputs, label in ((with_inputs, self.label),
                                  (without_inputs, self.label),
                                  (without_inputs.clone(), self.decoy_label)):
            new_sample = copy.deepcopy(sample)
            new_sample.set_gt_label(label)
            new_sample.set_metainfo(dict(privacy_mask=mask.copy()))
            versions.append(dict(inputs=new_inputs,
                                 data_samples=new_sample))
        if self.kind == 'sensitive':
            self._check_removed(versions[1])
        return versions[0], versions[1], versions[2]

    def _check_removed(self, record: Dict) -> None:
        """The WITHOUT record must equal its own masked view."""
        pre = self.preprocessor
        device = pre.mean.device if pre._enable_normalize else 'cpu'
        with torch.no_grad():
            full, samples = pre.preprocess([record['inputs'].to(device)],
                                           [record['data_samples']], False)
            masked = pre.masked_view(full, samples)
        gap = float((full - masked).abs().max())
        if gap > 1e-5:
            raise RuntimeError(
                'The WITHOUT canary differs from its masked view by '
                f'{gap:.3g} (normalised units); the fill could not be '
                'inverted for this preprocessor (fill '
                f'{pre.fill_description}).')
        self.removed_gap = gap
