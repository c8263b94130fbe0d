"""Data preprocessor that builds MaskDP's masked view of every video."""
import copy
from typing import List, Optional, Tuple

import numpy as np
import torch

from mmaction.models import ActionDataPreprocessor
from mmaction.registry import MODELS
from .public_fill import PublicTextureBank, video_key

PRIVACY_MODES = ('none', 'dpsgd', 'maskdp')
FILL_KINDS = ('constant', 'public_texture')


@MODELS.register_module()
class MaskDPDataPreprocessor(ActionDataPreprocessor):
    """:class:`ActionDataPreprocessor` plus the masked twin ``x_ns``.

    After MMAction2's normalisation, every sensitive pixel (mask ``False``)
    is replaced by a fill that depends on no record's sensitive content, so
    the masked view is a function of the non-sensitive pixels only:

    - ``fill='constant'``: ``fill_value`` in normalised units (0.0 is the
      dataset mean colour).
    - ``fill='public_texture'``: a procedural indoor-like image
      (:mod:`.public_fill`) drawn from ``fill_seed`` and the video's key
      (``filename``, else ``sample_idx`` metainfo; list one in
      ``PackActionInputs(meta_keys=...)``), never from any record's pixels.
      It is the same for every frame and clip of a video and for the video
      in every epoch and on every rank (a function of seed, key, H and W
      only; it lies in the frame of the network input, so it does not
      follow crops or flips). A plausible static background instead of a
      flat colour reduces the shift between masked training views and full
      test videos. It is generated as 0..255 RGB and normalised with this
      preprocessor's ``mean``/``std`` as they are: MMAction2's decoders
      give RGB frames (and ``to_rgb=True`` turns BGR inputs into RGB before
      normalising), so the normalised batch is RGB in both cases.

    In ``maskdp`` training the batch becomes ``[x; x_ns]`` (2B videos, data
    samples duplicated) and :attr:`last_layout` tells which row is which
    video and view, for the optimizer wrapper that clips per video. With
    :attr:`separate_masked_view` (set by :class:`MaskDPOptimWrapper` on its
    fast path) the model gets only ``x``, and the wrapper runs the masked
    view (:meth:`take_masked_view`) after the full view's backward pass, so
    one view's activations are in memory at a time; the masked view is then
    written over the full view's input tensor, which is no longer needed
    (one batch of inputs less). :attr:`last_layout` still describes all 2B
    rows.
    :attr:`fill_description` names the fill for reports.

    The mask comes from each data sample's ``privacy_mask`` meta field, in
    the inputs' layout without the channel axis: put ``LoadPrivacyMask``
    after decoding, ``SplitPrivacyMask`` after ``FormatShape`` and
    ``PackActionInputs(meta_keys=(..., 'privacy_mask'))`` in the pipeline.

    Args:
        mode (str): ``'none'``, ``'dpsgd'`` or ``'maskdp'``. Only ``maskdp``
            builds the twin in training.
        fill (str): ``'constant'`` or ``'public_texture'``, see above.
            Defaults to ``'constant'``.
        fill_value (float): Value of sensitive pixels in the masked view,
            after normalisation, for ``fill='constant'``. Defaults to 0.0.
        fill_seed (int): Public seed of ``fill='public_texture'``.
            Defaults to 0.
        fill_cache_size (int): Textures kept in memory for
            ``fill='public_texture'`` (3*H*W bytes each). Defaults to 4096.
        mask_at_test (bool): Feed the masked view at validation/test time
            too (anonymized test data carries a mask). Defaults to False.
        **kwargs: Forwarded to :class:`ActionDataPreprocessor`.
    """

    def __init__(self,
                 *,
                 mode: str = 'maskdp',
                 fill: str = 'constant',
                 fill_value: float = 0.0,
                 fill_seed: int = 0,
                 fill_cache_size: int = 4096,
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
        if fill not in FILL_KINDS:
            raise ValueError(f'fill must be one of {FILL_KINDS}, got '
                             f'{fill!r}.')
        if isinstance(fill_seed, bool) or not isinstance(
                fill_seed, (int, np.integer)):
            raise ValueError(f'fill_seed must be an int, got {fill_seed!r}.')
        self.mode = mode
        self.fill = fill
        self.fill_value = float(fill_value)
        self.fill_seed = int(fill_seed)
        self._textures = (PublicTextureBank(self.fill_seed, fill_cache_size)
                          if fill == 'public_texture' else None)
        self.mask_at_test = mask_at_test
        self.last_layout: Optional[dict] = None
        self.separate_masked_view = False
        self.pending_masked_view: Optional[dict] = None

    @property
    def fill_description(self) -> str:
        """str: The fill used, for reports, e.g. ``'constant(0.0)'``."""
        if self.fill == 'public_texture':
            return f'public_texture(seed={self.fill_seed})'
        return f'constant({self.fill_value})'

    def public_fill(self, inputs: torch.Tensor,
                    data_samples: List) -> torch.Tensor:
        """Each video's public texture, normalised like ``inputs``.

        Args:
            inputs (Tensor): (B, N, 3, ..., H, W) batch (NCTHW or NCHW).
            data_samples (list): Their data samples, with ``filename`` or
                ``sample_idx`` in their metainfo.

        Returns:
            Tensor: (B, 1, 3, 1, ..., H, W), broadcasting over clips and
            frames.
        """
        if self._textures is None:
            raise RuntimeError("public_fill needs fill='public_texture'.")
        if inputs.ndim < 5 or inputs.shape[2] != 3:
            raise ValueError(
                "fill='public_texture' needs (B, N, 3, ..., H, W) RGB "
                f'inputs, got shape {tuple(inputs.shape)}.')
        height, width = inputs.shape[-2:]
        images = np.stack([
            self._textures.texture(video_key(s.metainfo, i), height, width)
            for i, s in enumerate(data_samples)
        ])
        texture = torch.from_numpy(images).to(inputs.device)
        texture = texture.permute(0, 3, 1, 2).float()  # (B, 3, H, W)
        if self._enable_normalize:
            texture = ((texture - self.mean.view(1, -1, 1, 1)) /
                       self.std.view(1, -1, 1, 1))
        shape = (len(images), 1, 3) + (1, ) * (inputs.ndim - 5)
        return texture.to(inputs.dtype).view(shape + (height, width))

    def masked_view(self, inputs: torch.Tensor, data_samples: List,
                    out: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``inputs`` with every sensitive pixel set to the fill.

        Args:
            inputs (Tensor): (B, N, C, ...) normalised batch.
            data_samples (list): Their data samples, with ``privacy_mask``
                (and ``filename`` or ``sample_idx`` for the public texture).
            out (Tensor, optional): Where to write it (may be ``inputs``).

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
        if self.fill == 'public_texture':
            fill = self.public_fill(inputs, data_samples)
        else:
            fill = inputs.new_full((), self.fill_value)
        if out is None:
            return torch.where(mask.unsqueeze(2), inputs, fill)
        return torch.where(mask.unsqueeze(2), inputs, fill, out=out)

    def take_masked_view(self, in_place: bool = True) -> Optional[dict]:
        """The masked view of the last training batch, with
        :attr:`separate_masked_view`, as ``dict(inputs=..., data_samples=...)``
        for the model's forward pass (None if there is none; handed out
        once).

        Args:
            in_place (bool): Write the masked view over the full view's
                input tensor (call it after the full view's backward pass,
                when nothing needs that tensor any more). It is never done
                where the tensor shares memory with the caller's inputs.
                Defaults to True.
        """
        pending, self.pending_masked_view = self.pending_masked_view, None
        if pending is None:
            return None
        batch, samples = pending['inputs'], pending['data_samples']
        in_place = in_place and pending['owned']
        twin = self.masked_view(batch, samples,
                                out=batch if in_place else None)
        return dict(inputs=twin, data_samples=copy.deepcopy(list(samples)))

    def preprocess(self, inputs: List[torch.Tensor], data_samples,
                   training: bool = False) -> Tuple:
        """Normalise as MMAction2 does, then add or apply the masked view."""
        batch, data_samples = super().preprocess(inputs, data_samples,
                                                 training)
        num_videos = batch.shape[0]
        if training and self.mode == 'maskdp':
            self.last_layout = dict(
                video_index=torch.arange(num_videos).repeat(2),
                masked=torch.arange(2 * num_videos) >= num_videos)
            if self.separate_masked_view:
                # Overwritten by the masked view later, unless it shares
                # memory with the caller's inputs.
                owned = batch.untyped_storage().data_ptr() not in {
                    t.untyped_storage().data_ptr() for t in inputs
                    if isinstance(t, torch.Tensor)}
                self.pending_masked_view = dict(
                    inputs=batch, data_samples=data_samples, owned=owned)
                return batch, data_samples
            twin = self.masked_view(batch, data_samples)
            return (torch.cat([batch, twin]),
                    list(data_samples) + copy.deepcopy(list(data_samples)))
        if training:
            self.last_layout = dict(
                video_index=torch.arange(num_videos),
                masked=torch.zeros(num_videos, dtype=torch.bool))
        elif self.mask_at_test:
            batch = self.masked_view(batch, data_samples)
        return batch, data_samples
