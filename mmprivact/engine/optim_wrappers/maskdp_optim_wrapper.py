"""Optimizer wrapper that privatises every update (MaskDP or DP-SGD)."""
import os
import warnings
from contextlib import contextmanager
from typing import Dict, List, Optional

import torch
import torch.distributed as dist
import torch.nn as nn
from mmengine.dist import get_dist_info
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper

from mmaction.registry import OPTIM_WRAPPERS
from mmprivact.privacy.masked_aggregation import masked_dp_aggregate
from mmprivact.privacy.per_sample_grads import make_per_sample

_HOOK_FIX = ("Add dict(type='PrivacyAccountantHook', ...) to custom_hooks: "
             'it sets the noise from noise_multiplier or target_epsilon and '
             'accounts for every step.')


@OPTIM_WRAPPERS.register_module()
class MaskDPOptimWrapper(OptimWrapper):
    """Per-video clipping, one Gaussian noise draw per step, then the step.

    The update direction handed to the wrapped optimizer is, per step
    (``shared/DESIGN.md``, "MaskDP, precisely")::

        maskdp: ( sum_i h_i + sum_i clip_C(g_i - h_i) + N(0, s^2 C^2 I) ) / E|B|
        dpsgd:  ( sum_i clip_C(g_i)                   + N(0, s^2 C^2 I) ) / E|B|

    ``g_i`` / ``h_i`` are video i's gradients on the full / masked view, from
    Opacus' per-sample hooks; rows of one video (clips, crops, the frames
    of a 2D recognizer) are summed before clipping. The mode is the data
    preprocessor's (:class:`MaskDPDataPreprocessor`), so one config switch
    selects it (``none`` makes this an ordinary optimizer wrapper, so the
    three modes share sampler, schedule and everything else). The noise multiplier and ``E|B| = q N`` are set by
    :class:`PrivacyAccountantHook` before training; without the hook the
    wrapper refuses to step, so no run trains with unreported privacy.

    Per-sample loss: MMAction2's heads average the loss over the batch's
    data samples, so row r's gradient of the per-sample loss is
    ``R * grad_sample[r]`` with R rows in the batch; a head whose loss is
    not such a mean would change what C means (not the guarantee).

    Under DDP each rank clips its own videos, one rank adds the noise, and
    the sum is all-reduced: the noise is added once per step in total.
    Gradient synchronisation by DDP itself is switched off (``no_sync``).

    Args:
        optimizer (Optimizer): The wrapped optimizer.
        max_grad_norm (float): Clip norm C of each video's (sensitive)
            gradient.
        secure_mode (bool): Draw the noise with Opacus' sampling that
            resists floating-point attacks, from a generator seeded with
            ``os.urandom``. Defaults to False.
        noise_seed (int, optional): Seed of the noise generator (ignored in
            secure mode). Defaults to a seed from ``os.urandom``; its state
            is saved in checkpoints, so a resumed run never repeats noise.
        check_first_step (bool): On the first step, check that the
            per-sample gradients add up to the ordinary gradient (catches
            layers the hooks do not see). Defaults to True.
        **kwargs: ``accumulative_counts`` (must be 1) and ``clip_grad``
            (must be None) of :class:`OptimWrapper`.
    """

    def __init__(self,
                 optimizer: torch.optim.Optimizer,
                 *,
                 max_grad_norm: float,
                 secure_mode: bool = False,
                 noise_seed: Optional[int] = None,
                 check_first_step: bool = True,
                 **kwargs) -> None:
        if kwargs.get('clip_grad') is not None:
            raise ValueError(
                'MaskDPOptimWrapper clips each video\'s gradient to '
                'max_grad_norm itself; clip_grad would clip the noisy sum '
                'again, after the privacy analysis. Remove '
                'optim_wrapper.clip_grad.')
        if kwargs.get('accumulative_counts', 1) != 1:
            raise ValueError(
                'Gradient accumulation (accumulative_counts='
                f'{kwargs["accumulative_counts"]}) is not possible with '
                'Poisson sampling: each step must be one Poisson batch. Use '
                'a larger expected batch size (train_dataloader.batch_size) '
                'instead.')
        if not max_grad_norm > 0:
            raise ValueError(f'max_grad_norm must be > 0, got '
                             f'{max_grad_norm!r}.')
        super().__init__(optimizer, **kwargs)
        self.max_grad_norm = float(max_grad_norm)
        self.secure_mode = bool(secure_mode)
        self.check_first_step = check_first_step
        self.noise_multiplier: Optional[float] = None
        self.expected_batch_size: Optional[float] = None
        self.private_steps = 0
        if noise_seed is None or secure_mode:
            noise_seed = int.from_bytes(os.urandom(8), 'little') >> 1
        # Created on the parameters' device when the hooks are attached.
        self._noise_seed = int(noise_seed)
        self._pending_rng_state: Optional[torch.Tensor] = None
        self.noise_generator: Optional[torch.Generator] = None
        self._grad_sample_module = None
        self._preprocessor = None
        self.last_stats: Dict[str, float] = {}

    # -- configuration -------------------------------------------------
    def configure_privacy(self, *, noise_multiplier: float,
                          expected_batch_size: float) -> None:
        """Set sigma and E|B|; called by :class:`PrivacyAccountantHook`."""
        if not noise_multiplier > 0 or not expected_batch_size > 0:
            raise ValueError(
                'noise_multiplier and expected_batch_size must be > 0, got '
                f'{noise_multiplier!r} and {expected_batch_size!r}.')
        self.noise_multiplier = float(noise_multiplier)
        self.expected_batch_size = float(expected_batch_size)

    @property
    def mode(self) -> Optional[str]:
        """``'maskdp'`` or ``'dpsgd'``, from the data preprocessor."""
        return getattr(self._preprocessor, 'mode', None)

    def attach(self, model: nn.Module) -> None:
        """Register the per-sample hooks on ``model`` (once).

        Raises:
            TypeError: If the data preprocessor is not a private one.
            ValueError: For BatchNorm in train mode, naming the module.
        """
        if self._grad_sample_module is not None:
            return  # False in mode none: attached without hooks
        inner = model.module if is_model_wrapper(model) else model
        preprocessor = getattr(inner, 'data_preprocessor', None)
        if getattr(preprocessor, 'mode', None) not in ('none', 'maskdp',
                                                       'dpsgd'):
            raise TypeError(
                'MaskDPOptimWrapper needs '
                "model.data_preprocessor=dict(type='MaskDPDataPreprocessor', "
                "mode='maskdp', 'dpsgd' or 'none', ...); got "
                f'{type(preprocessor).__name__}.')
        self._preprocessor = preprocessor
        # Opacus' hook on the first layer fires although the input needs no
        # gradient; that is expected, and PyTorch would say so every step.
        warnings.filterwarnings(
            'ignore', message='Full backward hook is firing when gradients')
        device = self._params()[0].device
        self.noise_generator = torch.Generator(device=device)
        self.noise_generator.manual_seed(self._noise_seed)
        if self._pending_rng_state is not None:
            self.noise_generator.set_state(self._pending_rng_state)
        # Non-private mode: ordinary gradients, no hooks.
        self._grad_sample_module = (make_per_sample(inner)
                                    if self.is_private else False)

    @property
    def is_private(self) -> bool:
        """Whether steps are privatised (mode ``maskdp`` or ``dpsgd``)."""
        return self.mode in ('maskdp', 'dpsgd')

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Attach the hooks; keep DDP from averaging the raw gradients."""
        self.attach(model)
        if self.is_private and hasattr(model, 'no_sync'):
            with model.no_sync():
                yield
        else:
            yield

    # -- the private step ----------------------------------------------
    def _params(self) -> List[nn.Parameter]:
        return [p for group in self.optimizer.param_groups
                for p in group['params'] if p.requires_grad]

    def _per_row(self, params: List[nn.Parameter], rows: int
                 ) -> List[torch.Tensor]:
        """Per-row gradients of the per-sample loss, one tensor a param."""
        out = []
        for p in params:
            gs = getattr(p, 'grad_sample', None)
            if gs is None:
                if p.grad is not None and rows:
                    raise RuntimeError(
                        f'A parameter of shape {tuple(p.shape)} got a '
                        'gradient but no per-sample gradient: a layer the '
                        'Opacus hooks do not cover. Freeze it or replace it '
                        'with a supported layer.')
                out.append(p.new_zeros((rows, ) + tuple(p.shape)))
                continue
            if gs.shape[0] % rows:
                raise RuntimeError(
                    f'Per-sample gradients have {gs.shape[0]} rows, not a '
                    f'multiple of the {rows} samples of the batch: the model '
                    'mixes samples along the batch axis.')
            # k rows per sample (clips/frames flattened video-major).
            gs = gs.reshape((rows, gs.shape[0] // rows) + tuple(p.shape))
            out.append(gs.sum(1) * rows)
        return out

    def _check_sum(self, params, per_row) -> None:
        """Per-sample gradients must add up to the ordinary gradient."""
        rows = per_row[0].shape[0]
        for p, g in zip(params, per_row):
            if p.grad is None:
                continue
            total = g.sum(0) / rows
            if not torch.allclose(total, p.grad, rtol=1e-3, atol=1e-6):
                raise RuntimeError(
                    'Per-sample gradients do not add up to the gradient of '
                    f'a parameter of shape {tuple(p.shape)} (max deviation '
                    f'{(total - p.grad).abs().max():.3g}); some computation '
                    'is invisible to the Opacus hooks (an in-place op, a '
                    'custom autograd function or a functional layer).')

    def private_direction(self, *, empty: bool = False
                          ) -> List[torch.Tensor]:
        """The privatised update direction of this step, one per param.

        Args:
            empty (bool): The batch had no video (noise only).
        """
        if self.noise_multiplier is None:
            raise RuntimeError(f'MaskDPOptimWrapper has no noise yet. '
                               f'{_HOOK_FIX}')
        params = self._params()
        layout = None if empty else self._preprocessor.last_layout
        if layout is None:
            rows, per_row = 0, [p.new_zeros((0, ) + tuple(p.shape))
                                for p in params]
            video_index = torch.zeros(0, dtype=torch.long)
            masked = torch.zeros(0, dtype=torch.bool)
        else:
            video_index, masked = layout['video_index'], layout['masked']
            rows = len(video_index)
            per_row = self._per_row(params, rows)
            if self.check_first_step and self.private_steps == 0:
                self._check_sum(params, per_row)
        num_videos = int(video_index.max()) + 1 if rows else 0
        full = [g[~masked] for g in per_row]
        masked_rows = None
        if self.mode == 'maskdp':
            masked_rows = [g[masked] for g in per_row]
            if not torch.equal(video_index[masked], video_index[~masked]):
                raise RuntimeError('The masked and full rows of the batch '
                                   'are not aligned video by video.')
        rank, world_size = get_dist_info()
        direction, stats = masked_dp_aggregate(
            grads_full=full,
            grads_masked=masked_rows,
            video_index=video_index[~masked],
            num_videos=num_videos,
            max_grad_norm=self.max_grad_norm,
            noise_multiplier=self.noise_multiplier,
            expected_batch_size=self.expected_batch_size,
            mode=self.mode,
            generator=self.noise_generator,
            secure_mode=self.secure_mode,
            add_noise=rank == 0)
        if world_size > 1:
            flat = torch.cat([d.flatten() for d in direction])
            dist.all_reduce(flat)
            direction = [
                chunk.view_as(d) for chunk, d in zip(
                    flat.split([d.numel() for d in direction]), direction)
            ]
        stats['batch_videos'] = float(num_videos)
        self.last_stats = stats
        return direction

    def _apply_private_step(self, *, empty: bool, **kwargs) -> None:
        params = self._params()
        for p, d in zip(params, self.private_direction(empty=empty)):
            p.grad = d.to(p.dtype)
        self.optimizer.step(**kwargs)
        self.private_steps += 1
        for key, value in self.last_stats.items():
            self.message_hub.update_scalar(f'train/{key}', value)

    def step(self, **kwargs) -> None:
        """Replace the gradients by the private direction, then step.

        In mode ``none`` this is the wrapped optimizer's ordinary step.
        """
        if self.is_private:
            self._apply_private_step(empty=False, **kwargs)
        else:
            super().step(**kwargs)

    def empty_batch_step(self, **kwargs) -> None:
        """The step of an empty Poisson batch: noise only, still a step.

        In mode ``none`` there is nothing to do.
        """
        self._inner_count += 1
        if self.is_private:
            self._apply_private_step(empty=True, **kwargs)
        self.zero_grad()

    def zero_grad(self, **kwargs) -> None:
        """Clear gradients and the per-sample gradients of the hooks."""
        super().zero_grad(**kwargs)
        for p in self._params():
            p.grad_sample = None
        if self._preprocessor is not None:
            self._preprocessor.last_layout = None

    # -- state ---------------------------------------------------------
    def state_dict(self) -> dict:
        """The optimizer's state plus step count and noise RNG state."""
        state = super().state_dict()
        rng = (self.noise_generator.get_state() if self.noise_generator
               is not None else self._pending_rng_state)
        state['mmprivact'] = dict(private_steps=self.private_steps,
                                  noise_generator=rng)
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore :meth:`state_dict`, so noise continues, never repeats."""
        state_dict = dict(state_dict)
        ours = state_dict.pop('mmprivact', None)
        super().load_state_dict(state_dict)
        if ours is not None:
            self.private_steps = int(ours['private_steps'])
            rng = ours['noise_generator']
            if rng is not None and not self.secure_mode:
                self._pending_rng_state = rng.cpu()
                if self.noise_generator is not None:
                    self.noise_generator.set_state(rng.cpu())
