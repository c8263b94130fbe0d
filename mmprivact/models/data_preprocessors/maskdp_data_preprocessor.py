"""Data preprocessor that builds MaskDP's masked view of every video."""
import copy
from typing import List, Optional, Tuple

import torch

from mmaction.models import ActionDataPreprocessor
from mmaction.registry import MODELS

PRIVACY_MODES = ('none', 'dpsgd', 'maskdp')


@MODELS.register_module()
class MaskDPDataPreprocessor(ActionDataPreprocessor):
    """:class:`ActionDataPreprocessor` plus the masked twin ``x_ns``.

    After MMAction2's normalisation, every sensitive pixel (mask ``False``)
    is replaced by ``fill_value`` (in normalised units: 0.0 is the dataset
    mean colour), which depends on no record's content. In ``maskdp``
    training the batch becomes ``[x; x_ns]`` (2B videos, data samples
    duplicated) and :attr:`last_layout` tells which row is which video and
    view, for the optimizer wrapper that clips per video.

    The mask comes from each data sample's ``privacy_mask`` meta field, in
    the inputs' layout without the channel axis: put ``LoadPrivacyMask``
    after decoding, ``SplitPrivacyMask`` after ``FormatShape`` and
    ``PackActionInputs(meta_keys=(..., 'privacy_mask'))`` in the pipeline.

    Args:
        mode (str): ``'none'``, ``'dpsgd'`` or ``'maskdp'``. Only ``maskdp``
            builds the twin in training.
        fill_value (float): Value of sensitive pixels in the masked view,
            after normalisation. Defaults to 0.0.
        mask_at_test (bool): Feed the masked view at validation/test time
            too (anonymized test data carries a mask). Defaults to False.
        **kwargs: Forwarded to :class:`ActionDataPreprocessor`.
    """

    def __init__(self,
                 *,
                 mode: str = 'maskdp',
                 fill_value: float = 0.0,
                 mask_at_test: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if mode not in PRIVACY_MODES:
            raise ValueError(f'mode must be one of {PRIVACY_MODES}, got '
                             f'{mode!r}.')
        if mode != 'none' and self.blending is not None:
            raise ValueError(
                f'blending ({self.blending}) mixes videos of a batch, so one '
                'video influences others and per-video DP does not hold. '
                'Remove data_preprocessor.blending for mode '
                f'{mode!r}.')
        self.mode = mode
        self.fill_value = float(fill_value)
        self.mask_at_test = mask_at_test
        self.last_layout: Optional[dict] = None

    def masked_view(self, inputs: torch.Tensor,
                    data_samples: List) -> torch.Tensor:
        """``inputs`` with every sensitive pixel set to ``fill_value``.

        Args:
            inputs (Tensor): (B, N, C, ...) normalised batch.
            data_samples (list): Their data samples, with ``privacy_mask``.

        Returns:
            Tensor: The masked view, same shape as ``inputs``.
        """
        masks = []
        for i, sample in enumerate(data_samples):
            mask = sample.metainfo.get('privacy_mask')
            if mask is None:
                raise KeyError(
                    f'Data sample {i} has no privacy_mask. Add '
                    "dict(type='LoadPrivacyMask') after decoding, "
                    "dict(type='SplitPrivacyMask') after FormatShape and "
                    "PackActionInputs(meta_keys=(..., 'privacy_mask')) to "
                    'the pipeline.')
            masks.append(torch.as_tensor(mask, device=inputs.device))
        mask = torch.stack(masks).bool()
        expected = inputs.shape[:2] + inputs.shape[3:]
        if mask.shape != expected:
            raise ValueError(
                f'privacy_mask has shape {tuple(mask.shape)} but the inputs '
                f'are {tuple(inputs.shape)} (expected mask {tuple(expected)})'
                '; run SplitPrivacyMask after FormatShape.')
        fill = inputs.new_full((), self.fill_value)
        return torch.where(mask.unsqueeze(2), inputs, fill)

    def preprocess(self, inputs: List[torch.Tensor], data_samples,
                   training: bool = False) -> Tuple:
        """Normalise as MMAction2 does, then add or apply the masked view."""
        batch, data_samples = super().preprocess(inputs, data_samples,
                                                 training)
        num_videos = batch.shape[0]
        if training and self.mode == 'maskdp':
            twin = self.masked_view(batch, data_samples)
            self.last_layout = dict(
                video_index=torch.arange(num_videos).repeat(2),
                masked=torch.arange(2 * num_videos) >= num_videos)
            return (torch.cat([batch, twin]),
                    list(data_samples) + copy.deepcopy(list(data_samples)))
        if training:
            self.last_layout = dict(
                video_index=torch.arange(num_videos),
                masked=torch.zeros(num_videos, dtype=torch.bool))
        elif self.mask_at_test:
            batch = self.masked_view(batch, data_samples)
        return batch, data_samples
