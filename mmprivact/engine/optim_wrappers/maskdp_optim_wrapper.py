"""Optimizer wrapper that privatises every update (MaskDP or DP-SGD)."""
import os
import warnings
from contextlib import contextmanager
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.dist import get_dist_info
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper

from mmaction.registry import OPTIM_WRAPPERS
from mmengine.logging import print_log

from mmprivact.distributed import all_reduce_sum
from mmprivact.privacy.ghost_clipping import build_ghost_clipper
from mmprivact.privacy.masked_aggregation import (masked_dp_aggregate,
                                                  privatize_clipped_sum)
from mmprivact.privacy.per_sample_grads import (check_per_sample_privacy,
                                                disable_inplace_activations,
                                                make_per_sample)

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

    ``g_i`` / ``h_i`` are video i's gradients on the full / masked view;
    rows of one video (clips, crops, the frames of a 2D recognizer) are
    summed before clipping. Two ways to compute the clipped sum, with the
    same result to float tolerance: ``clipping='fast'`` (default;
    :class:`GhostClipper`: per-video norms from the layers' inputs and
    output gradients, ghost norms or per-video instantiation per layer,
    reduced layer by layer during the backward pass, then the clipped sum
    directly; no parameter gradients) and ``clipping='exact'`` (Opacus'
    per-sample gradient hooks; every row's full gradient is formed, for
    verification). On the fast path MaskDP runs the two views one after
    the other (``sequential_views``): the model's ``train_step`` forwards
    the full view only, and :meth:`backward` runs the masked view's
    forward and backward pass itself, so one view's activations are in
    memory at a time; the loss ``train_step`` logs is then the full
    view's, and the masked view's is logged as ``loss_masked_view``. A
    model with a trainable layer the fast path does not cover (anything but
    Conv1d/2d/3d, Linear, GroupNorm, LayerNorm) is refused with an error
    naming the layers, or, with ``fallback_to_exact=True``, trains on the
    exact path with a warning naming them. The mode is the data
    preprocessor's (:class:`MaskDPDataPreprocessor`), so one config switch
    selects it (``none`` makes this an ordinary optimizer wrapper, so the
    three modes share sampler, schedule and everything else). The noise
    multiplier and ``E|B| = q N`` are set by
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
        clipping (str): ``'fast'`` or ``'exact'``, see above. Defaults to
            ``'fast'``.
        fallback_to_exact (bool): With ``clipping='fast'``, train on the
            exact path (warning) instead of raising when a trainable layer
            is not covered by the fast path. Defaults to False.
        sequential_views (bool): With ``clipping='fast'`` and MaskDP, run
            the full and the masked view one after the other (less memory,
            same update) instead of as one batch of 2B rows. Defaults to
            True.
        **kwargs: ``accumulative_counts`` (must be 1) and ``clip_grad``
            (must be None) of :class:`OptimWrapper`.
    """

    CLIPPING = ('fast', 'exact')

    def __init__(self,
                 optimizer: torch.optim.Optimizer,
                 *,
                 max_grad_norm: float,
                 secure_mode: bool = False,
                 noise_seed: Optional[int] = None,
                 check_first_step: bool = True,
                 clipping: str = 'fast',
                 fallback_to_exact: bool = False,
                 sequential_views: bool = True,
                 **kwargs) -> None:
        if clipping not in self.CLIPPING:
            raise ValueError(f'clipping must be one of {self.CLIPPING}, got '
                             f'{clipping!r}.')
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
        self.clipping = clipping
        self.fallback_to_exact = bool(fallback_to_exact)
        self.sequential_views = bool(sequential_views)
        # What actually runs: 'exact' also where 'fast' had to fall back.
        self.clipping_used: Optional[str] = None
        self._ghost = None
        self._fast_sums: Optional[List[torch.Tensor]] = None
        self._fast_norms: Optional[torch.Tensor] = None
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
        self._model: Optional[nn.Module] = None
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
        inner = model.module if is_model_wrapper(model) else model
        self._model = inner  # runs the masked view (sequential views)
        if self._grad_sample_module is not None:
            return  # False in mode none: attached without hooks
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
        if not self.is_private:
            self._grad_sample_module = False
            return
        if self.clipping == 'fast':
            check_per_sample_privacy(inner)
            disable_inplace_activations(inner)
            self._ghost, reason = build_ghost_clipper(inner)
            if self._ghost is not None:
                self._grad_sample_module = True
                self.clipping_used = 'fast'
                preprocessor.separate_masked_view = (
                    self.mode == 'maskdp' and self.sequential_views)
                return
            why = ('MaskDPOptimWrapper: clipping=\'fast\' is not '
                   f'possible: {reason}.')
            if not self.fallback_to_exact:
                raise ValueError(
                    f'{why} Freeze or replace these layers, or set '
                    'optim_wrapper.fallback_to_exact=True (or '
                    'clipping=\'exact\') to train with exact per-sample '
                    'gradients (same result, slower, batch x parameters '
                    'of memory).')
            message = (f'{why} Falling back to exact per-sample gradients '
                       '(Opacus hooks; same result, slower and batch x '
                       'parameters of memory). Freeze or replace these '
                       'layers to get the fast path.')
            warnings.warn(message)
            print_log(message, logger='current', level=30)
        self._grad_sample_module = make_per_sample(inner)
        self.clipping_used = 'exact'
        preprocessor.separate_masked_view = False  # per-sample rows: 2B

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

    def _check_sum(self, params, per_row, ordinary=None, rows=None) -> None:
        """Per-sample gradients must add up to the ordinary gradient.

        Args:
            params (list): The trainable parameters.
            per_row (list): Per parameter, per-row gradients (R, *shape)
                of the per-sample losses (or their sum, (1, *shape)).
            ordinary (list, optional): The ordinary gradients (default:
                ``p.grad``).
            rows (int, optional): R (default: ``per_row[0].shape[0]``).
        """
        rows = per_row[0].shape[0] if rows is None else rows
        if ordinary is None:
            ordinary = [p.grad for p in params]
        for p, g, grad in zip(params, per_row, ordinary):
            if grad is None:
                continue
            total = g.sum(0) / rows
            if not torch.allclose(total, grad, rtol=1e-3, atol=1e-6):
                raise RuntimeError(
                    'Per-sample gradients do not add up to the gradient of '
                    f'a parameter of shape {tuple(p.shape)} (max deviation '
                    f'{(total - grad).abs().max():.3g}); some computation '
                    'is invisible to the per-sample machinery (an in-place '
                    'op, a custom autograd function or a functional use of '
                    'a layer\'s weight).')

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        """The loss's backward pass; on the fast path, the clipped sum.

        On the fast path no parameter gradient is computed: each layer is
        reduced as its output gradient arrives, and once every view is
        done the clipped per-video sum is formed and kept for :meth:`step`.
        With sequential views ``loss`` is the full view's, and the masked
        view's forward and backward pass run here. Otherwise as
        :meth:`OptimWrapper.backward` (the exact path's hooks record
        per-sample gradients).
        """
        if self._ghost is None or not self.is_private:
            super().backward(loss, **kwargs)
            return
        layout = self._preprocessor.last_layout
        separate = self._preprocessor.pending_masked_view is not None
        if layout is None:
            raise RuntimeError(
                'No batch layout from the data preprocessor: the loss was '
                'not computed on a batch that MaskDPDataPreprocessor '
                'prepared in training mode.')
        video_index, masked = layout['video_index'], layout['masked']
        params = self._params()
        check = self.check_first_step and self.private_steps == 0
        ordinary: List[Optional[torch.Tensor]] = [None] * len(params)
        self._ghost.begin(video_index=video_index, masked=masked,
                          mode=self.mode)
        if not separate:  # all rows in one batch
            self._fast_pass(loss, None, params, ordinary, check)
        else:
            self._fast_pass(loss, ~masked, params, ordinary, check)
            del loss  # the full view's graph is freed: run the masked view
            # Its input may take the full view's tensor, unless a layer
            # keeps that tensor (its first layer, with ghost norms).
            full = self._preprocessor.pending_masked_view['inputs']
            masked_loss = self._masked_view_loss(
                self._preprocessor.take_masked_view(
                    in_place=not self._ghost.holds(full)))
            del full
            self._fast_pass(masked_loss, masked, params, ordinary, check)
        rows = len(video_index)
        if check:
            plain = self._ghost.plain_sum()
            self._check_sum(params, [
                plain.get(p, torch.zeros_like(p)).unsqueeze(0) for p in params
            ], [None if g is None else g / rows for g in ordinary], rows=rows)
        sums, norms = self._ghost.clipped_sum(
            max_grad_norm=self.max_grad_norm)
        self._ghost.clear()  # free the per-video gradients now
        self._fast_sums = [sums.get(p, torch.zeros_like(p)) for p in params]
        self._fast_norms = norms
        self._inner_count += 1

    def _fast_pass(self, loss: torch.Tensor, rows: Optional[torch.Tensor],
                   params: List[nn.Parameter],
                   ordinary: List[Optional[torch.Tensor]],
                   check: bool) -> None:
        """One backward pass of the fast path over some of the step's rows.

        Args:
            loss (Tensor): Mean loss over the rows of this forward pass.
            rows (Tensor, optional): (R,) bool, the step's rows it covers
                (None: all).
            params (list): The trainable parameters.
            ordinary (list): Per parameter, the sum of the rows' ordinary
                gradients so far; added to when ``check``.
            check (bool): Also take the ordinary gradients (first step).
        """
        count = len(self._preprocessor.last_layout['video_index']) \
            if rows is None else int(rows.sum())
        # MMAction2's loss is a mean over the R rows: R * its gradient is
        # the sum of the rows' per-sample gradients. The check's ordinary
        # gradients come from the same pass (no retained graph).
        grads = self._ghost.backward(loss, loss_scale=count, rows=rows,
                                     also=params if check else ())
        for i, g in enumerate(grads):
            if g is not None:
                ordinary[i] = g if ordinary[i] is None else ordinary[i] + g

    def _masked_view_loss(self, view: dict) -> torch.Tensor:
        """The model's loss on the masked view (sequential views)."""
        if self._model is None:
            raise RuntimeError('MaskDPOptimWrapper is not attached to a '
                               'model; train through optim_context().')
        with torch.enable_grad():
            losses = self._model._run_forward(view, mode='loss')
        loss, _ = self._model.parse_losses(losses)
        self.message_hub.update_scalar('train/loss_masked_view',
                                       float(loss.detach()))
        return loss

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
        if self._ghost is not None:
            return self._fast_direction(params, empty=empty
                                        or layout is None)
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
            mode=self.mode,
            **self._noise_args(rank))
        return self._finish_direction(direction, stats, num_videos,
                                      world_size)

    def _fast_direction(self, params: List[nn.Parameter], *,
                        empty: bool) -> List[torch.Tensor]:
        """The private direction from the fast path's clipped sum."""
        if empty:
            sums = [torch.zeros_like(p) for p in params]
            norms = params[0].new_zeros(0)
        else:
            if self._fast_sums is None:
                raise RuntimeError(
                    'step() without backward(): on the fast clipping path '
                    'the clipped sum is computed in backward(loss); use '
                    'update_params(loss) or backward(loss) then step().')
            sums, norms = self._fast_sums, self._fast_norms
        rank, world_size = get_dist_info()
        direction, stats = privatize_clipped_sum(sums, norms,
                                                 **self._noise_args(rank))
        return self._finish_direction(direction, stats, int(norms.numel()),
                                      world_size)

    def _noise_args(self, rank: int) -> dict:
        """The noise and scaling arguments both paths privatise with."""
        return dict(
            max_grad_norm=self.max_grad_norm,
            noise_multiplier=self.noise_multiplier,
            expected_batch_size=self.expected_batch_size,
            generator=self.noise_generator,
            secure_mode=self.secure_mode,
            add_noise=rank == 0)  # under DDP the noise is added once

    def _finish_direction(self, direction: List[torch.Tensor], stats: dict,
                          num_videos: int, world_size: int
                          ) -> List[torch.Tensor]:
        """All-reduce across ranks and keep the step's statistics."""
        if world_size > 1:
            direction = all_reduce_sum(direction)
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
        if self._ghost is not None:
            self._ghost.clear()
        self._fast_sums = self._fast_norms = None
        if self._preprocessor is not None:
            self._preprocessor.last_layout = None
            self._preprocessor.pending_masked_view = None

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
