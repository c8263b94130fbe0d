"""Per-video clipped gradient sums without per-sample gradients.

The fast path of :class:`MaskDPOptimWrapper` (``clipping='fast'``). A step
is one backward pass per view or one for all rows (MaskDP: the full view,
then the masked view after its own forward pass, so that only one view's
activations exist at a time; or both views as rows of one batch). The
forward pass records each trainable layer's input and puts a tensor hook
on its output; the backward pass computes only the gradients at the
layers' outputs (no parameter gradient), and each layer is reduced in its
hook, as its output gradient arrives (:mod:`.layer_gradients`):

* where per-video instantiation is cheaper (many positions), the layer's
  per-video gradients are formed and added up over views (the masked
  view's negated, so they become ``g_i - h_i``; their sum over videos is
  ``sum_i h_i``), and the layer's input and output gradient are dropped;
* where ghost norms are cheaper (few positions, so small tensors), or the
  per-video gradients would exceed a memory budget, the input and output
  gradient are kept until all views are done.

Then every video's norm is known and the clipped aggregate is assembled
directly ("book-keeping", Bu et al. 2023), so no per-sample gradient of
the whole model exists and no second backward pass runs::

    maskdp: sum_i h_i + sum_i w_i (g_i - h_i) = sum_i w_i g_i + (1 - w_i) h_i
    dpsgd:  sum_i w_i g_i,      w_i = min(1, C / ||g_i - h_i|| or ||g_i||)

This is the same quantity as :func:`masked_dp_aggregate` on exact
per-sample gradients (tested to float tolerance); the noise is added by
the caller.
"""
import functools
from collections import Counter
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from torch.autograd.graph import get_gradient_edge

from .layer_gradients import (choose_method, group_by_video,
                              layer_positions, unsupported_reason,
                              video_grads, video_sq_norms, weighted_grads)

_NORMS = (nn.GroupNorm, nn.LayerNorm)


class _Call:
    """One recorded call of a layer, until its output gradient arrives."""

    __slots__ = ('index', 'x', 'version', 'edge', 'root', 'fired')

    def __init__(self, index: int, x: torch.Tensor, edge,
                 root: bool) -> None:
        self.index = index  # into GhostClipper.layers
        self.x: Optional[torch.Tensor] = x.detach()
        # The detached input shares the version counter: an in-place change
        # after the layer ran would make the recorded input wrong.
        self.version = x._version
        self.edge = edge  # the output's gradient edge (no tensor held)
        self.root = root  # the layer's input needs no gradient
        self.fired = False


class _Kept(NamedTuple):
    """One call of a layer kept whole until the clipped sum."""
    pass_number: int
    x: torch.Tensor  # layer input
    version: int  # of ``x``: it must not change before the sums
    grad: torch.Tensor  # output gradient, unsigned
    unit: torch.Tensor  # video of each sub-row
    masked: torch.Tensor  # sub-rows of the masked view


class _LayerState:
    """What a layer holds between its output gradients and the sums.

    Either ``per_video`` (``{param: (V, *shape)}``, the signed per-video
    gradients added up over calls and views) with ``masked_sum`` (the
    masked rows' plain sum, ``sum_i h_i``), or ``calls`` (every call kept
    whole, :class:`_Kept`).
    """

    __slots__ = ('method', 'per_video', 'masked_sum', 'calls')

    def __init__(self, method: str, accumulate: bool) -> None:
        self.method = method
        self.per_video: Optional[Dict[str, torch.Tensor]] = (
            {} if accumulate else None)
        self.masked_sum: Dict[str, torch.Tensor] = {}
        self.calls: Optional[List[_Kept]] = None if accumulate else []


class _Pass:
    """The rows of the step that one backward pass covers."""

    __slots__ = ('number', 'video_index', 'masked', 'num_videos', 'groups',
                 '_cache')

    def __init__(self, number: int, video_index: torch.Tensor,
                 masked: torch.Tensor, mode: str, num_videos: int) -> None:
        self.number = number
        self.video_index = video_index
        self.masked = masked
        self.num_videos = num_videos
        # (negate, rows or None for all): the masked view's gradients enter
        # with a minus sign (maskdp), so reduce each view's rows apart.
        if mode != 'maskdp' or not bool(masked.any()):
            self.groups = [(False, None)]
        elif bool(masked.all()):
            self.groups = [(True, None)]
        else:
            self.groups = [(False, (~masked).nonzero()[:, 0]),
                           (True, masked.nonzero()[:, 0])]
        self._cache: dict = {}

    def sub_rows(self, per: int, group: Optional[int],
                 device: torch.device) -> tuple:
        """For layers with ``per`` sub-rows a row: the sub-rows of
        ``groups[group]`` (None: all; index None where that is all), their
        videos, their grouping by video and (for all) masked flags. The
        same for every layer of that shape, so computed once a pass."""
        key = (per, group, str(device))
        if key not in self._cache:
            unit = self.video_index.to(device)
            masked = self.masked.to(device)
            if per > 1:
                unit = unit.repeat_interleave(per)
                masked = masked.repeat_interleave(per)
            sel = None if group is None else self.groups[group][1]
            sub = None
            if sel is not None:
                sub = _sub_rows(sel.to(device), per)
                unit, masked = unit.index_select(0, sub), None
            self._cache[key] = (sub, unit,
                                group_by_video(unit, self.num_videos),
                                masked)
        return self._cache[key]


def _sub_rows(rows: torch.Tensor, per: int) -> torch.Tensor:
    """Indices of the ``per`` sub-rows (clips, frames) of each row."""
    if per == 1:
        return rows
    offsets = torch.arange(per, device=rows.device)
    return (rows.unsqueeze(1) * per + offsets).flatten()


class GhostClipper:
    """Records layer inputs and turns losses into clipped per-video sums.

    Use per step: the forward pass (recorded by hooks), :meth:`begin` with
    the step's rows, :meth:`backward` once per forward pass (each covering
    some of the rows), then :meth:`clipped_sum`; :meth:`clear` before the
    next step.

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
    # Per-video gradients are kept (formed in the hooks, summed over views)
    # up to this many elements in all (64 MiB in float32); beyond it a
    # layer keeps its inputs and output gradients instead.
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
        self._index = {id(m): i for i, (_, m) in enumerate(self.layers)}
        self._calls: List[_Call] = []
        self._pass: Optional[_Pass] = None
        self._step: Optional[dict] = None
        self._states: Dict[int, _LayerState] = {}
        self._live: Counter = Counter()
        self._handles = [
            module.register_forward_hook(self._record)
            for _, module in self.layers
        ]
        self.last_methods: Dict[str, str] = {}

    # -- recording -----------------------------------------------------
    def _record(self, module: nn.Module, inputs, output) -> None:
        if not torch.is_grad_enabled() or not module.training:
            return
        if not isinstance(output, torch.Tensor) or not output.requires_grad:
            return
        x = inputs[0]
        call = _Call(self._index[id(module)], x, get_gradient_edge(output),
                     root=not x.requires_grad)
        # A hook registered now receives the gradient of this output as the
        # layer computed it, even if the output is changed in place later.
        output.register_hook(functools.partial(self._on_grad, call))
        self._calls.append(call)

    def clear(self) -> None:
        """Forget the recorded forward passes and the step's state."""
        for call in self._calls:
            call.x = call.edge = None
        self._calls = []
        self._step = None
        self._states = {}

    def remove(self) -> None:
        """Remove the hooks."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.clear()

    # -- the step ------------------------------------------------------
    def begin(self, *, video_index: torch.Tensor, masked: torch.Tensor,
              mode: str) -> None:
        """Start a step's reduction (after its first forward pass).

        Args:
            video_index (Tensor): (R,) long, the video of each row of the
                step (all views).
            masked (Tensor): (R,) bool, rows of the masked view (maskdp).
            mode (str): ``'maskdp'`` or ``'dpsgd'``.
        """
        if mode not in ('maskdp', 'dpsgd'):
            raise ValueError(f"mode must be 'maskdp' or 'dpsgd', got "
                             f'{mode!r}.')
        video_index = torch.as_tensor(video_index, dtype=torch.long)
        masked = torch.as_tensor(masked, dtype=torch.bool)
        if masked.shape != video_index.shape or video_index.dim() != 1:
            raise ValueError(
                'video_index and masked must be (R,) tensors, got shapes '
                f'{tuple(video_index.shape)} and {tuple(masked.shape)}.')
        num_videos = int(video_index.max()) + 1 if len(video_index) else 0
        counts = torch.bincount(video_index, minlength=num_videos)
        even = num_videos > 0 and bool((counts == counts[0]).all())
        self._step = dict(video_index=video_index.cpu(),
                          masked=masked.cpu(), mode=mode,
                          num_videos=num_videos,
                          rows_per_video=int(counts[0]) if even else None,
                          budget=self.keep_elements, passes=0)
        self._states = {}
        self.last_methods = {}

    def backward(self, loss: torch.Tensor, *, loss_scale: float,
                 rows: Optional[Union[torch.Tensor, Sequence[int]]] = None,
                 also: Sequence[torch.Tensor] = (),
                 retain_graph: bool = False
                 ) -> List[Optional[torch.Tensor]]:
        """Gradients of ``loss`` at the recorded layers' outputs, reduced.

        Parameter gradients are not computed (autograd skips them); each
        layer is reduced as its output gradient arrives. The forward pass
        of ``loss`` must be the one recorded since the last backward.

        Args:
            loss (Tensor): The loss of these rows; its gradient times
                ``loss_scale`` is the sum of the rows' per-sample gradients
                (``loss_scale = R`` for a mean over R rows).
            loss_scale (float): See ``loss``.
            rows (Tensor or list, optional): Which of the step's rows (see
                :meth:`begin`) this forward pass ran on, in order: indices
                or an (R,) bool mask. Defaults to all.
            also (Sequence[Tensor]): Tensors (e.g. the parameters, for a
                self-check) whose ordinary gradients of ``loss *
                loss_scale`` this same pass should compute too.
            retain_graph (bool): Keep the graph.

        Returns:
            list: The gradients of ``also`` (None where unused).

        Raises:
            RuntimeError: Without :meth:`begin`; when a layer's input was
                changed in place after it ran, or a layer's output gradient
                did not arrive although the loss depends on it.
        """
        step = self._step
        if step is None:
            raise RuntimeError('GhostClipper.backward() before begin().')
        if rows is None:
            rows = torch.arange(len(step['video_index']))
        rows = torch.as_tensor(rows)
        if rows.dtype == torch.bool:
            rows = rows.nonzero()[:, 0]
        rows = rows.long().cpu()
        calls, self._calls = self._calls, []
        also = list(also)
        extra: List[Optional[torch.Tensor]] = [None] * len(also)
        try:
            live, roots = self._live_calls(loss, calls)
            self._live = Counter(c.index for c in live)
            if roots or (also and loss.grad_fn is not None):
                self._pass = _Pass(step['passes'],
                                   step['video_index'][rows].to(loss.device),
                                   step['masked'][rows].to(loss.device),
                                   step['mode'], step['num_videos'])
                try:
                    # The recorded outputs nearest the input: autograd
                    # computes every gradient on the way to them, each
                    # recorded output's once, and no parameter gradient
                    # (unless asked for). The roots' gradients are not
                    # needed.
                    grads = torch.autograd.grad(
                        loss * loss_scale, [c.edge for c in roots] + also,
                        retain_graph=retain_graph, allow_unused=True)
                    extra = list(grads[len(roots):])
                    del grads
                finally:
                    self._pass = None
            missing = sorted({self.layers[c.index][0]
                              for c in live if not c.fired})
            if missing:
                raise RuntimeError(
                    'The output gradients of layers '
                    f'{missing} did not arrive although the loss depends on '
                    "them; use optim_wrapper.clipping='exact'.")
        finally:
            for call in calls:
                call.x = call.edge = None
        step['passes'] += 1
        return extra

    @staticmethod
    def _live_calls(loss: torch.Tensor, calls: List[_Call]
                    ) -> Tuple[List[_Call], List[_Call]]:
        """The calls the loss depends on, and the outputs to differentiate
        with respect to so that every one of them gets its gradient."""
        if loss.grad_fn is None or not calls:
            return [], []
        parents: Dict[object, list] = {}
        seen = {loss.grad_fn}
        stack = [loss.grad_fn]
        while stack:  # the loss's graph (a few hundred nodes)
            node = stack.pop()
            for child, _ in node.next_functions:
                if child is None:
                    continue
                parents.setdefault(child, []).append(node)
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        live = [c for c in calls if c.edge.node in seen]
        roots = [c for c in live if c.root]
        # Nodes on a path from the loss to a root run in that backward pass
        # (and so fire their outputs' hooks).
        on_path: set = set()
        stack = [c.edge.node for c in roots]
        while stack:
            node = stack.pop()
            if node not in on_path:
                on_path.add(node)
                stack.extend(parents.get(node, ()))
        # A recorded output the loss reaches not through a root (its input
        # needs a gradient for another reason) becomes a root itself.
        roots += [c for c in live if not c.root and c.edge.node not in on_path]
        return live, roots

    def _on_grad(self, call: _Call, grad: Optional[torch.Tensor]) -> None:
        """Tensor hook: reduce the layer as its output gradient arrives."""
        if self._pass is None or call.x is None:
            return None  # another backward pass over the graph, or stale
        call.fired = True
        x, call.x = call.x, None
        if grad is None:
            return None  # no gradient flows into this output
        name, module = self.layers[call.index]
        if x._version != call.version:
            raise RuntimeError(
                f'The input of layer {name!r} was changed in place after '
                'the layer ran (an in-place operation such as `x += y` or '
                'ReLU(inplace=True)); its per-sample gradients cannot be '
                'computed. Make that operation out-of-place, or use '
                "optim_wrapper.clipping='exact'.")
        self._reduce(call.index, module, x, grad)
        return None  # the gradient flows on unchanged

    def _reduce(self, index: int, module: nn.Module, x: torch.Tensor,
                grad: torch.Tensor) -> None:
        """Keep what the layer's clipped sum needs from one call."""
        step, pass_ = self._step, self._pass
        rows = len(pass_.video_index)
        if grad.shape[0] % rows:
            raise RuntimeError(
                f'Layer {self.layers[index][0]!r} ran on a batch of '
                f'{grad.shape[0]}, not a multiple of the {rows} rows of the '
                'batch: the model mixes samples along the batch axis.')
        per = grad.shape[0] // rows
        state = self._states.get(index)
        if state is None:
            state = self._plan(index, module, x, grad, per)
        if state.calls is not None:
            _, unit, _, masked = pass_.sub_rows(per, None, grad.device)
            state.calls.append(
                _Kept(pass_.number, x, x._version, grad, unit, masked))
            return
        num_videos = step['num_videos']
        for group, (negate, _) in enumerate(pass_.groups):
            sub, unit, grouping, _ = pass_.sub_rows(
                per, group if len(pass_.groups) > 1 else None, grad.device)
            xs, gs = x, grad
            if sub is not None:
                xs, gs = x.index_select(0, sub), grad.index_select(0, sub)
            for name, value in video_grads(module, xs, gs, unit, num_videos,
                                           grouping).items():
                acc = state.per_video.get(name)
                if negate:
                    total = value.sum(0)
                    old = state.masked_sum.get(name)
                    state.masked_sum[name] = (total if old is None else
                                              old + total)
                    if acc is None:
                        state.per_video[name] = value.neg_()
                    else:
                        acc.sub_(value)
                elif acc is None:
                    state.per_video[name] = value
                else:
                    acc.add_(value)

    def _plan(self, index: int, module: nn.Module, x: torch.Tensor,
              grad: torch.Tensor, per: int) -> _LayerState:
        """Choose the layer's norm method and what it keeps, once a step."""
        step = self._step
        name = self.layers[index][0]
        size = step['num_videos'] * sum(
            p.numel() for p in module.parameters(recurse=False)
            if p.requires_grad)
        weight = getattr(module, 'weight', None)
        if (isinstance(module, _NORMS) or weight is None
                or not weight.requires_grad):
            method = 'rows'
        elif self._live[index] > 1 or step['rows_per_video'] is None:
            method = 'direct'  # ghost norms need one call, even videos
        elif self.method != 'auto':
            method = self.method
        else:
            method = choose_method(module, layer_positions(module, grad),
                                   step['rows_per_video'] * per, 1,
                                   kept_per_row=x[0].numel() +
                                   grad[0].numel())
        accumulate = method != 'ghost' and size <= step['budget']
        if accumulate:
            step['budget'] -= size
        state = _LayerState(method, accumulate)
        self._states[index] = state
        self.last_methods[name] = method
        return state

    # -- results -------------------------------------------------------
    def _signs(self, masked: torch.Tensor, dtype) -> torch.Tensor:
        sign = torch.ones(masked.shape, dtype=dtype, device=masked.device)
        if self._step['mode'] == 'maskdp':
            sign[masked] = -1.0
        return sign

    def _kept(self, index: int, state: _LayerState) -> List[_Kept]:
        """A kept layer's calls, checked for in-place changes of inputs."""
        for call in state.calls:
            if call.x._version != call.version:
                raise RuntimeError(
                    f'The input of layer {self.layers[index][0]!r} was '
                    'changed in place before the clipped sum was formed; '
                    'its per-sample gradients cannot be computed.')
        return state.calls

    def _whole_calls(self, index: int, state: _LayerState) -> list:
        """A kept layer's calls as ``(input, signed gradient, unit)``: the
        views stacked as rows of one call where each ran it once."""
        calls = self._kept(index, state)
        counts = Counter(c.pass_number for c in calls)
        stack = (len(calls) > 1 and set(counts.values()) == {1} and len(
            {(c.x.shape[1:], c.grad.shape[1:]) for c in calls}) == 1)
        if stack:
            calls = [_Kept(0, torch.cat([c.x for c in calls]), 0,
                           torch.cat([c.grad for c in calls]),
                           torch.cat([c.unit for c in calls]),
                           torch.cat([c.masked for c in calls]))]
        out = []
        for c in calls:
            sign = self._signs(c.masked, c.grad.dtype)
            shape = (-1, ) + (1, ) * (c.grad.dim() - 1)
            out.append((c.x, c.grad * sign.view(shape), c.unit))
        return out

    def holds(self, tensor: torch.Tensor) -> bool:
        """Whether a kept layer input shares memory with ``tensor`` (which
        must then not be changed before :meth:`clipped_sum`)."""
        ptr = tensor.untyped_storage().data_ptr()
        return any(c.x.untyped_storage().data_ptr() == ptr
                   for state in self._states.values()
                   for c in state.calls or ())

    def _sq_norms(self, device) -> torch.Tensor:
        """(V,) squared per-video norms over all layers, in float64."""
        sq = torch.zeros(self._step['num_videos'], dtype=torch.float64,
                         device=device)
        for index, state in self._states.items():
            if state.per_video is not None:
                for value in state.per_video.values():
                    sq += value.flatten(1).pow(2).sum(1).to(sq)
                continue
            module = self.layers[index][1]
            norms, _ = video_sq_norms(module,
                                      self._whole_calls(index, state),
                                      self._step['num_videos'],
                                      state.method)
            sq += norms.to(sq)
        return sq

    def _reference(self) -> Tuple[torch.dtype, torch.device]:
        for state in self._states.values():
            for value in (state.per_video or {}).values():
                return value.dtype, value.device
            for call in state.calls or ():
                return call.grad.dtype, call.grad.device
        p = next(self.layers[0][1].parameters()) if self.layers else None
        return (p.dtype, p.device) if p is not None else (torch.float32,
                                                          torch.device('cpu'))

    def _per_param(self, per_layer: Dict[int, Dict[str, torch.Tensor]]
                   ) -> Dict[nn.Parameter, torch.Tensor]:
        out: Dict[nn.Parameter, torch.Tensor] = {}
        for index, (_, module) in enumerate(self.layers):
            grads = per_layer.get(index, {})
            for pname, p in module.named_parameters(recurse=False):
                if p.requires_grad:
                    out[p] = grads.get(pname, torch.zeros_like(p))
        return out

    def clipped_sum(self, *, max_grad_norm: float
                    ) -> Tuple[Dict[nn.Parameter, torch.Tensor],
                               torch.Tensor]:
        """The clipped per-video gradient sum of the step, per parameter.

        Call after the step's :meth:`backward` passes.

        Args:
            max_grad_norm (float): Clip norm C.

        Returns:
            tuple: ``{parameter: clipped sum}`` for every trainable
            parameter of the recorded layers (zeros for layers that did
            not contribute), and the (V,) per-video norms before clipping.
        """
        if self._step is None:
            raise RuntimeError('GhostClipper.clipped_sum() before begin().')
        maskdp = self._step['mode'] == 'maskdp'
        dtype, device = self._reference()
        norms = self._sq_norms(device).sqrt().to(dtype)
        factor = (max_grad_norm / (norms + 1e-12)).clamp(max=1.0)
        sums: Dict[int, Dict[str, torch.Tensor]] = {}
        for index, state in self._states.items():
            if state.per_video is not None:
                # sum_i w_i (g_i - h_i) + sum_i h_i (maskdp).
                grads = {k: torch.tensordot(factor.to(v.dtype), v, dims=1)
                         for k, v in state.per_video.items()}
                for k, v in state.masked_sum.items():
                    grads[k] = grads[k] + v
            else:
                calls = []
                for kept in self._kept(index, state):
                    c = factor.to(kept.grad.device)[kept.unit]
                    if maskdp:
                        c = torch.where(kept.masked, 1.0 - c, c)
                    calls.append((kept.x, kept.grad, c))
                grads = weighted_grads(self.layers[index][1], calls)
            sums[index] = grads
        return self._per_param(sums), norms

    def plain_sum(self) -> Dict[nn.Parameter, torch.Tensor]:
        """The unclipped sum of all rows' gradients (for self-checks).

        After the step's :meth:`backward` passes, ``plain_sum()`` divided
        by the rows is the ordinary gradient of the mean loss over the
        rows when every layer that shapes it was recorded.
        """
        sums: Dict[int, Dict[str, torch.Tensor]] = {}
        for index, state in self._states.items():
            if state.per_video is not None:
                # sum_i (g_i - h_i) + 2 sum_i h_i.
                grads = {k: v.sum(0) for k, v in state.per_video.items()}
                for k, v in state.masked_sum.items():
                    grads[k] = grads[k] + 2 * v
            else:
                grads = weighted_grads(self.layers[index][1], [
                    (c.x, c.grad, c.grad.new_ones(c.grad.shape[0]))
                    for c in self._kept(index, state)
                ])
            sums[index] = grads
        return self._per_param(sums)


def build_ghost_clipper(model: nn.Module, method: str = 'auto'
                        ) -> Tuple[Optional[GhostClipper], Optional[str]]:
    """A :class:`GhostClipper`, or None and the reason it is not possible."""
    try:
        return GhostClipper(model, method), None
    except ValueError as err:
        return None, str(err)
