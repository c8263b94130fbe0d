"""Per-video clipped gradient sums without per-sample gradients.

The fast path of :class:`MaskDPOptimWrapper` (``clipping='fast'``). One
forward pass records each trainable layer's input; one backward pass
computes only the gradients *at the layers' outputs* (no parameter
gradients); from those, :mod:`.layer_gradients` gives every video's
gradient norm (ghost norms or per-video instantiation, whichever is cheaper
per layer) and then the clipped aggregate directly ("book-keeping", Bu et
al. 2023), so no per-sample gradient of the whole model ever exists and no
second backward pass runs::

    maskdp: sum_i h_i + sum_i w_i (g_i - h_i) = sum_i w_i g_i + (1 - w_i) h_i
    dpsgd:  sum_i w_i g_i,      w_i = min(1, C / ||g_i - h_i|| or ||g_i||)

This is the same quantity as :func:`masked_dp_aggregate` on exact
per-sample gradients (tested to float tolerance); the noise is added by
the caller.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn

from .layer_gradients import KeptGrads, unsupported_reason, \
    video_sq_norms, weighted_grads


class GhostClipper:
    """Records layer inputs and turns a loss into clipped per-video sums.

    Args:
        model (nn.Module): The model; every module that owns a trainable
            parameter must be a supported layer.
        method (str): Per-video norms by ``'auto'`` (per layer, the
            cheaper of ghost norm and per-video instantiation), or by
            ``'ghost'`` / ``'direct'`` wherever that applies (for
            verification and benchmarks). Defaults to ``'auto'``.

    Raises:
        ValueError: Naming every unsupported module (the caller falls back
            to exact per-sample gradients, loudly).
    """

    METHODS = ('auto', 'ghost', 'direct')
    # Per-video gradients formed for the norms are kept for the clipped sum
    # (saving a pass over those layers' rows) up to this many elements in
    # all (64 MiB in float32); beyond it they are recomputed.
    KEEP_ELEMENTS = 1 << 24

    def __init__(self, model: nn.Module, method: str = 'auto') -> None:
        if method not in self.METHODS:
            raise ValueError(f'method must be one of {self.METHODS}, got '
                             f'{method!r}.')
        self.method = method
        self.keep_elements = self.KEEP_ELEMENTS
        problems = []
        self.layers: List[Tuple[str, nn.Module]] = []
        for name, module in model.named_modules():
            reason = unsupported_reason(module)
            if reason is not None:
                problems.append(f'{name or "<model>"} ({reason})')
            elif any(p.requires_grad
                     for p in module.parameters(recurse=False)):
                self.layers.append((name, module))
        if problems:
            raise ValueError('No fast per-video clipping for: ' +
                             '; '.join(problems))
        self._calls: Dict[int, list] = {}
        self._grads: Dict[int, list] = {}
        self._handles = [
            module.register_forward_hook(self._record)
            for _, module in self.layers
        ]
        self.last_methods: Dict[str, str] = {}

    def _record(self, module: nn.Module, inputs, output) -> None:
        if not torch.is_grad_enabled() or not module.training:
            return
        if not isinstance(output, torch.Tensor) or not output.requires_grad:
            return
        # The version tells whether an in-place op changed the output later
        # (its gradient would then be the changed tensor's, silently wrong).
        self._calls.setdefault(id(module), []).append(
            (inputs[0].detach(), output, output._version))

    def clear(self) -> None:
        """Forget the recorded forward pass and its gradients."""
        self._calls = {}
        self._grads = {}

    def remove(self) -> None:
        """Remove the hooks."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.clear()

    def backward(self, loss: torch.Tensor, *, loss_scale: float,
                 retain_graph: bool = False) -> None:
        """Gradients of ``loss`` at the recorded layers' outputs only.

        Parameter gradients are not computed (autograd skips them). Stores
        ``(input, d loss / d output * loss_scale)`` per call for
        :meth:`clipped_sum` / :meth:`plain_sum`.

        Args:
            loss (Tensor): The batch loss; its gradient times
                ``loss_scale`` is the sum of the rows' per-sample gradients
                (``loss_scale = R`` for a mean over R rows).
            loss_scale (float): See ``loss``.
            retain_graph (bool): Keep the graph (for a later check).
        """
        self._grads = self._output_grads(loss, loss_scale, retain_graph)
        self._calls = {}  # the outputs (and their graph) are not needed

    def _output_grads(self, loss: torch.Tensor, scale: float,
                      retain_graph: bool
                      ) -> Dict[int, List[Tuple[torch.Tensor, torch.Tensor]]]:
        """``(input, d loss / d output * scale)`` per recorded call."""
        keys, outputs = [], []
        for name, module in self.layers:
            for k, (_, out, version) in enumerate(self._calls.get(
                    id(module), [])):
                if out._version != version:
                    raise RuntimeError(
                        f'The output of layer {name!r} was changed in place '
                        'after the layer ran (an in-place operation such as '
                        '`out += x` or ReLU(inplace=True)); its gradient '
                        'cannot be read. Make that operation out-of-place, '
                        "or use optim_wrapper.clipping='exact'.")
                keys.append((id(module), k))
                outputs.append(out)
        if not outputs:
            return {}
        # Scaling the loss scales every output gradient, without a copy of
        # each.
        grads = torch.autograd.grad(loss * scale, outputs, allow_unused=True,
                                    retain_graph=retain_graph)
        calls: Dict[int, list] = {}
        for (key, k), grad in zip(keys, grads):
            x, out, _ = self._calls[key][k]
            if grad is None:
                continue  # did not reach the loss
            calls.setdefault(key, []).append((x, grad))
        return calls

    def clipped_sum(self, *, video_index: torch.Tensor, masked: torch.Tensor,
                    max_grad_norm: float, mode: str
                    ) -> Tuple[Dict[nn.Parameter, torch.Tensor],
                               torch.Tensor]:
        """The clipped per-video gradient sum of this batch, per parameter.

        Call :meth:`backward` first.

        Args:
            video_index (Tensor): (R,) long, the video of each batch row.
            masked (Tensor): (R,) bool, rows of the masked view (maskdp).
            max_grad_norm (float): Clip norm C.
            mode (str): ``'maskdp'`` or ``'dpsgd'``.

        Returns:
            tuple: ``{parameter: clipped sum}`` for every trainable
            parameter of the recorded layers (zeros for layers that did
            not contribute), and the (V,) per-video norms before clipping.
        """
        calls = self._grads
        ref = next(iter(calls.values()))[0][1] if calls else torch.zeros(())
        dtype, device = ref.dtype, ref.device
        rows = int(video_index.numel())
        num_videos = int(video_index.max()) + 1 if rows else 0
        sign = torch.ones(rows, dtype=dtype, device=device)
        masked = masked.to(device)
        if mode == 'maskdp':
            sign[masked] = -1.0
        video_index = video_index.to(device)

        def sub_rows(value: torch.Tensor, batch: int) -> torch.Tensor:
            if batch % rows:
                raise RuntimeError(
                    f'A layer ran on a batch of {batch}, not a multiple of '
                    f'the {rows} rows of the batch: the model mixes '
                    'samples along the batch axis.')
            return value.repeat_interleave(batch // rows)

        sq = torch.zeros(num_videos, dtype=torch.float64, device=device)
        self.last_methods = {}
        kept: Dict[int, KeptGrads] = {}
        budget = self.keep_elements
        for name, module in self.layers:
            layer_calls = calls.get(id(module))
            if not layer_calls:
                continue
            batch = layer_calls[0][1].shape[0]
            if any(g.shape[0] != batch for _, g in layer_calls):
                raise RuntimeError(f'Layer {name!r} ran on batches of '
                                   'different sizes in one forward pass.')
            s = sub_rows(sign, batch)
            signed = [(x, g * s.view((-1, ) + (1, ) * (g.dim() - 1)))
                      for x, g in layer_calls]
            size = num_videos * sum(p.numel()
                                    for p in module.parameters(recurse=False)
                                    if p.requires_grad)
            norms, method, per_video = video_sq_norms(
                module, signed, sub_rows(video_index, batch), num_videos,
                self.method, keep=size <= budget,
                split=sub_rows(masked, batch) if mode == 'maskdp' else None)
            if per_video is not None:
                kept[id(module)] = per_video
                budget -= size
            sq += norms.to(torch.float64)
            self.last_methods[name] = method
        norms = sq.sqrt().to(dtype)
        factor = (max_grad_norm / (norms + 1e-12)).clamp(max=1.0)
        coefficient = factor[video_index]
        if mode == 'maskdp':
            coefficient = torch.where(masked, 1.0 - coefficient,
                                      coefficient)
        out: Dict[nn.Parameter, torch.Tensor] = {}
        for name, module in self.layers:
            layer_calls = calls.get(id(module), [])
            if id(module) in kept:
                grads = self._sum_from_kept(module, kept[id(module)],
                                            layer_calls, factor, masked,
                                            rows, mode)
            elif layer_calls:
                grads = weighted_grads(
                    module, layer_calls,
                    sub_rows(coefficient, layer_calls[0][1].shape[0]))
            else:
                grads = {}
            for pname, p in module.named_parameters(recurse=False):
                if p.requires_grad:
                    out[p] = grads.get(pname, torch.zeros_like(p))
        return out, norms

    @staticmethod
    def _sum_from_kept(module: nn.Module, kept: KeptGrads,
                       layer_calls: list, factor: torch.Tensor,
                       masked: torch.Tensor, rows: int,
                       mode: str) -> Dict[str, torch.Tensor]:
        """The layer's clipped sum from its kept per-video gradients.

        ``kept.per_video`` holds ``g_i - h_i`` (maskdp; the masked rows'
        gradients were negated) or ``g_i`` (dpsgd), so the sum is ``sum_i
        w_i per_video_i``, plus ``sum_i h_i`` in maskdp: minus the kept
        sum over the masked rows, or where that was not formed, the plain
        gradient of the masked rows.
        """
        grads = {k: torch.tensordot(factor.to(v.dtype), v, dims=1)
                 for k, v in kept.per_video.items()}
        if mode != 'maskdp' or not bool(masked.any()):
            return grads
        missing = set(grads) - set(kept.split_sum)
        for k, v in kept.split_sum.items():
            grads[k] = grads[k] - v
        if missing:
            batch = layer_calls[0][1].shape[0]
            keep = masked.repeat_interleave(batch // rows).nonzero()[:, 0]
            only_masked = [(x.index_select(0, keep), g.index_select(0, keep))
                           for x, g in layer_calls]
            ones = keep.new_ones(keep.numel(), dtype=factor.dtype)
            for k, v in weighted_grads(module, only_masked, ones).items():
                if k in missing:
                    grads[k] = grads[k] + v
        return grads

    def plain_sum(self) -> Dict[nn.Parameter, torch.Tensor]:
        """The unclipped sum of all rows' gradients (for self-checks).

        After :meth:`backward`, ``plain_sum() / loss_scale`` is the
        ordinary gradient of the loss when every layer that shapes it was
        recorded.
        """
        calls = self._grads
        out = {}
        for _, module in self.layers:
            layer_calls = calls.get(id(module), [])
            ones = [torch.ones(g.shape[0], dtype=g.dtype, device=g.device)
                    for _, g in layer_calls]
            grads: Dict[str, torch.Tensor] = {}
            for call, one in zip(layer_calls, ones):
                for k, v in weighted_grads(module, [call], one).items():
                    grads[k] = grads[k] + v if k in grads else v
            for pname, p in module.named_parameters(recurse=False):
                if p.requires_grad:
                    out[p] = grads.get(pname, torch.zeros_like(p))
        return out


def build_ghost_clipper(model: nn.Module, method: str = 'auto'
                        ) -> Tuple[Optional[GhostClipper], Optional[str]]:
    """A :class:`GhostClipper`, or None and the reason it is not possible."""
    try:
        return GhostClipper(model, method), None
    except ValueError as err:
        return None, str(err)
