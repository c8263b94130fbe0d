"""Per-video gradient norms and weighted gradients of single layers.

Framework-free maths (torch only) for :class:`GhostClipper`. For a layer
called on a batch with input ``a`` and output gradient ``g``, sub-row ``r``
of the batch contributes ``a_r^T g_r`` (summed over positions) to the
weight gradient. A video's gradient is the sum over its sub-rows; MaskDP's
sensitive part ``g_i - h_i`` is the same sum with the masked view's output
gradients negated (``sign``). Two ways to get its squared norm:

* *ghost* (Li et al. 2021): ``||A^T G||^2 = <A A^T, G G^T>`` with the
  video's positions stacked; costs ``(mP)^2 (d + p)`` per video and never
  forms a (d, p) matrix;
* *direct* (per-video instantiation): form ``A^T G`` per video (one
  grouped weight-gradient call for all videos, or on CPU one call per video
  where that is faster); costs ``mP d p``.

:func:`choose_method` picks the cheaper per layer (Bu et al., "mixed"
ghost clipping). :func:`video_grads` forms one call's per-video gradients
(the clipper adds them up over calls and views, and then needs nothing
else of the layer); :func:`video_sq_norms` gives the norms from calls kept
whole (ghost, or direct in chunks); :func:`weighted_grads` gives ``sum_r
c_r a_r^T g_r``, the clipped aggregate once ``c`` holds each sub-row's clip
factor (the "book-keeping" trick: no second backward pass).

Supported: ``Conv1d/2d/3d`` (zero padding, any stride, dilation, groups),
``Linear`` (any leading dims) and affine ``GroupNorm`` / ``LayerNorm``.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
SUPPORTED_LAYERS = _CONVS + (nn.Linear, nn.GroupNorm, nn.LayerNorm)
_CONV_WEIGHT_GRAD = {
    1: torch.nn.grad.conv1d_weight,
    2: torch.nn.grad.conv2d_weight,
    3: torch.nn.grad.conv3d_weight,
}
# Subclasses whose forward only adds empty-input handling (MMCV's wrappers,
# which MMAction2's ConvModule uses): same maths as the torch layer.
_SAME_MATHS_FORWARDS = ('mmcv.cnn.bricks.wrappers', )
# Per-video weight gradients formed at once, in elements (chunked above).
_DIRECT_CHUNK_ELEMENTS = 1 << 24
# Input elements per video (in one call) above which per-video conv
# gradients are formed one video at a time on CPU (see _direct_conv);
# measured: the grouped call is 1.3x faster at 16k elements, 2-10x slower
# from 25k up (a stem conv on 8 x 64 x 64 clips: 98k).
_LOOP_ELEMENTS = 1 << 15
# Ghost norms may cost up to this factor more than per-video gradients
# where they keep less memory: per-video gradients are held over the whole
# backward pass (all views), on layers where both costs are small anyway.
_GHOST_MEMORY_SLACK = 2.0

# (layer input, output gradient, per sub-row: its video or its weight).
Call = Tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def unsupported_reason(module: nn.Module) -> Optional[str]:
    """Why ``module``'s trainable parameters cannot take the fast path.

    Returns:
        str, optional: None if supported, else the reason.
    """
    own = [n for n, p in module.named_parameters(recurse=False)
           if p.requires_grad]
    if not own:
        return None
    base = next((t for t in SUPPORTED_LAYERS if isinstance(module, t)), None)
    if base is None:
        return f'{type(module).__name__} has no ghost-norm rule'
    forward = type(module).forward
    if forward is not base.forward and not forward.__module__.startswith(
            _SAME_MATHS_FORWARDS):
        return (f'{type(module).__name__} subclasses {base.__name__} with '
                'its own forward')
    extra = set(own) - {'weight', 'bias'}
    if extra:
        return f'unexpected parameters {sorted(extra)}'
    if isinstance(module, _CONVS):
        if isinstance(module.padding, str):
            return f"padding={module.padding!r} (use explicit padding)"
        if module.padding_mode != 'zeros':
            return f'padding_mode={module.padding_mode!r}'
    return None


def _conv_unfold(x: torch.Tensor, module: nn.Module) -> torch.Tensor:
    """(B, C, *S) input -> (B, P, groups, C/groups * prod(kernel)) patches."""
    nd = x.dim() - 2
    pads = []
    for p in reversed(module.padding):
        pads += [p, p]
    x = F.pad(x, pads)
    for i in range(nd):
        k, s, d = (module.kernel_size[i], module.stride[i],
                   module.dilation[i])
        x = x.unfold(2 + i, d * (k - 1) + 1, s)
        if d > 1:
            x = x[..., ::d]
    # (B, C, o_1..o_n, k_1..k_n) -> (B, o_1..o_n, C, k_1..k_n)
    perm = [0] + list(range(2, 2 + nd)) + [1] + list(range(2 + nd, 2 + 2 * nd))
    x = x.permute(perm)
    batch, groups = x.shape[0], module.groups
    positions = 1
    for i in range(nd):
        positions *= x.shape[1 + i]
    return x.reshape(batch, positions, groups, -1)


def _conv_grad_rows(g: torch.Tensor, groups: int) -> torch.Tensor:
    """(B, O, *S) output gradient -> (B, P, groups, O/groups)."""
    batch, out = g.shape[:2]
    g = g.reshape(batch, out, -1).transpose(1, 2)
    return g.reshape(batch, g.shape[1], groups, out // groups)


def _norm_rows(module: nn.Module, x: torch.Tensor, g: torch.Tensor
               ) -> Dict[str, torch.Tensor]:
    """Per-sub-row weight/bias gradients of an affine Group/LayerNorm."""
    if isinstance(module, nn.GroupNorm):
        x_hat = F.group_norm(x, module.num_groups, eps=module.eps)
        dims = list(range(2, x.dim()))
        rows = {'weight': (x_hat * g).sum(dims) if dims else x_hat * g,
                'bias': g.sum(dims) if dims else g}
    else:
        x_hat = F.layer_norm(x, module.normalized_shape, eps=module.eps)
        lead = list(range(1, x.dim() - len(module.normalized_shape)))
        rows = {'weight': (x_hat * g).sum(lead) if lead else x_hat * g,
                'bias': g.sum(lead) if lead else g}
    return {k: v for k, v in rows.items()
            if getattr(module, k, None) is not None
            and getattr(module, k).requires_grad}


# (sub-row order that groups videos, or None where they are already
# video-major; sub-rows per video), or None where videos have unequally many.
Grouping = Optional[Tuple[Optional[torch.Tensor], int]]


def group_by_video(unit: torch.Tensor, num_units: int) -> Grouping:
    """How to sort sub-rows video-major, if all videos have equally many.

    Args:
        unit (Tensor): (B_l,) long, the video of each sub-row.
        num_units (int): Number of videos V.
    """
    counts = torch.bincount(unit, minlength=num_units)
    if num_units == 0 or bool((counts != counts[0]).any()):
        return None
    order = torch.argsort(unit, stable=True)
    if bool((order[1:] > order[:-1]).all()):
        order = None  # already video-major
    return order, int(counts[0])


def _video_sums(rows: torch.Tensor, unit: torch.Tensor, num_units: int,
                grouping: Grouping = None) -> torch.Tensor:
    """(V, ...) per-video sums of instantiated per-row tensors (always a
    new tensor)."""
    if grouping is not None and grouping[0] is None:
        return rows.reshape((num_units, grouping[1]) +
                            tuple(rows.shape[1:])).sum(1)
    per_video = rows.new_zeros((num_units, ) + tuple(rows.shape[1:]))
    return per_video.index_add_(0, unit, rows)


def _ghost(a: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """(V, G, n, d), (V, G, n, p) -> (V,) sum over G of ||a^T g||^2."""
    gram_a = a @ a.transpose(-1, -2)
    gram_g = g @ g.transpose(-1, -2)
    return (gram_a * gram_g).flatten(1).sum(1)


def _direct_linear(a: torch.Tensor, g: torch.Tensor, keep: bool
                   ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """(V, n, d), (V, n, p) -> (V,) ||g^T a||^2, chunked over videos, and
    the (V, p, d) per-video gradients if ``keep``."""
    out, kept = [], []
    step = max(1, _DIRECT_CHUNK_ELEMENTS // (a.shape[-1] * g.shape[-1]))
    for i in range(0, a.shape[0], step):
        grads = g[i:i + step].transpose(1, 2) @ a[i:i + step]
        out.append(grads.flatten(1).pow(2).sum(1))
        if keep:
            kept.append(grads)
    return torch.cat(out), torch.cat(kept) if keep else None


def _direct_conv(module: nn.Module, x: torch.Tensor, g: torch.Tensor,
                 num_units: int, per: int, keep: bool
                 ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """Squared norms of per-video conv weight gradients, formed at once.

    ``x``/``g`` are sorted video-major with ``per`` sub-rows per video.
    Chunked over videos so at most about 2^24 gradient elements exist at
    once, unless ``keep`` (then the (V, *weight.shape) gradients are
    returned too).
    """
    step = max(1, _DIRECT_CHUNK_ELEMENTS // module.weight.numel())
    # Measured on CPU: a grouped weight-gradient call is slow when each
    # video's rows are large (e.g. a stem conv on full frames); one ordinary
    # call per video is then several times faster.
    form = (_per_video_conv_grads_looped
            if not x.is_cuda and per * x[0].numel() >= _LOOP_ELEMENTS else
            _per_video_conv_grads_grouped)
    norms, kept = [], []
    for i in range(0, num_units, step):
        v = min(step, num_units - i)
        grads = form(module, x[i * per:(i + v) * per],
                     g[i * per:(i + v) * per], v, per)
        norms.append(grads.reshape(v, -1).pow(2).sum(1))
        if keep:
            kept.append(grads)
    return torch.cat(norms), torch.cat(kept) if keep else None


def _per_video_conv_grads_looped(module: nn.Module, x: torch.Tensor,
                                 g: torch.Tensor, v: int,
                                 per: int) -> torch.Tensor:
    """(v, ...) weight gradients of a conv, one weight-gradient call per
    video over its ``per`` rows."""
    return torch.stack([
        _weight_grad(module, x[i * per:(i + 1) * per],
                     g[i * per:(i + 1) * per]) for i in range(v)
    ])


def _per_video_conv_grads_grouped(module: nn.Module, x: torch.Tensor,
                                  g: torch.Tensor, v: int,
                                  per: int) -> torch.Tensor:
    """(v, ...) weight gradients of a grouped conv: one weight-gradient
    call in which videos become groups ((per, v*C, *S) input, ``groups = v
    * module.groups``), so the batch sum runs over one video's rows."""
    nd = x.dim() - 2
    xs = x.reshape((v, per) + tuple(x.shape[1:])).transpose(0, 1)
    gs = g.reshape((v, per) + tuple(g.shape[1:])).transpose(0, 1)
    xs = xs.reshape((per, -1) + tuple(xs.shape[3:]))
    gs = gs.reshape((per, -1) + tuple(gs.shape[3:]))
    shape = (v * module.weight.shape[0], ) + tuple(module.weight.shape[1:])
    grad = _CONV_WEIGHT_GRAD[nd](xs, shape, gs, module.stride,
                                 module.padding, module.dilation,
                                 v * module.groups)
    return grad.reshape((v, ) + tuple(module.weight.shape))


def choose_method(module: nn.Module, positions: int, per: int,
                  num_calls: int, kept_per_row: Optional[int] = None) -> str:
    """``'ghost'`` or ``'direct'``: the cheaper for this layer and batch.

    Args:
        module (nn.Module): A conv or linear layer.
        positions (int): Output positions P per sub-row.
        per (int): Sub-rows per video m (over all views).
        num_calls (int): Times the layer ran in the forward pass (ghost
            needs one call: its cross-call terms are not computed).
        kept_per_row (int, optional): Elements of a sub-row's input and
            output gradient, which ghost norms keep until the clipped sum
            (direct keeps ``weight.numel()`` per video instead). With it,
            ghost is also chosen where it costs at most
            ``_GHOST_MEMORY_SLACK`` times direct but keeps less.
    """
    if num_calls != 1:
        return 'direct'
    groups = getattr(module, 'groups', 1)
    d = module.weight[0].numel()  # inputs per output unit, per group
    p = module.weight.shape[0] // groups
    n = per * positions
    ghost, direct = n * (d + p), d * p
    if ghost < direct:
        return 'ghost'
    if (kept_per_row is not None and ghost <= _GHOST_MEMORY_SLACK * direct
            and per * kept_per_row < module.weight.numel()):
        return 'ghost'
    return 'direct'


def video_grads(module: nn.Module, x: torch.Tensor, g: torch.Tensor,
                unit: torch.Tensor, num_units: int,
                grouping: Union[Grouping, str] = 'auto'
                ) -> Dict[str, torch.Tensor]:
    """Each video's gradient of the layer's trainable parameters, from one
    call (direct: ``V * numel`` elements).

    Args:
        module (nn.Module): A supported layer.
        x (Tensor): The call's input, (B_l, ...).
        g (Tensor): Its output gradient, with each sub-row's sign and
            scale.
        unit (Tensor): (B_l,) long, the video of each sub-row.
        num_units (int): Number of videos V.
        grouping: :func:`group_by_video` of ``unit`` where known
            (``'auto'``: computed here).

    Returns:
        dict: ``{param name: (V, *param.shape)}`` (new tensors); videos
        without a sub-row get zeros.
    """
    if isinstance(grouping, str):
        grouping = group_by_video(unit, num_units)
    if isinstance(module, (nn.GroupNorm, nn.LayerNorm)):
        return {k: _video_sums(v, unit, num_units, grouping)
                for k, v in _norm_rows(module, x, g).items()}
    out = {}
    if module.bias is not None and module.bias.requires_grad:
        out['bias'] = _video_sums(_bias_rows(module, g), unit, num_units,
                                  grouping)
    if not module.weight.requires_grad:
        return out
    if grouping is None:  # unequal rows per video: one video at a time
        out['weight'] = _per_video_weight_grads(module, x, g, unit,
                                                num_units)
        return out
    order, per = grouping
    if order is not None:  # not yet video-major
        x, g = x[order], g[order]
    if isinstance(module, _CONVS):
        out['weight'] = _direct_conv(module, x, g, num_units, per, True)[1]
    else:
        out['weight'] = _direct_linear(
            x.reshape(num_units, -1, x.shape[-1]),
            g.reshape(num_units, -1, g.shape[-1]), True)[1]
    return out


def video_sq_norms(module: nn.Module, calls: Sequence[Call], num_units: int,
                   method: str = 'auto') -> Tuple[torch.Tensor, str]:
    """Squared norm of each video's gradient of this layer's parameters.

    For layers whose calls are kept whole: one call (the views stacked as
    rows) allows ghost norms; several calls (a layer used twice) or unequal
    rows per video are summed per video first (direct).

    Args:
        module (nn.Module): A supported layer (see
            :func:`unsupported_reason`).
        calls (Sequence[tuple]): ``(input, output_gradient, unit)`` per
            call: the output gradients already carry each sub-row's sign
            and scale, ``unit`` (B_l,) is the video of each sub-row.
        num_units (int): Number of videos V.
        method (str): ``'auto'`` (the cheaper), or force ``'ghost'`` /
            ``'direct'`` where both apply (for verification).

    Returns:
        tuple: (V,) squared norms over the layer's trainable parameters,
        and the method used for the weight (``'ghost'``, ``'direct'``, or
        ``'rows'`` for norm layers and biases alone).
    """
    x0, g0, unit0 = calls[0]
    grouping = group_by_video(unit0, num_units)
    weight = getattr(module, 'weight', None)
    if (isinstance(module, (nn.GroupNorm, nn.LayerNorm)) or weight is None
            or not weight.requires_grad or len(calls) > 1
            or grouping is None):
        total = g0.new_zeros(num_units)
        per_video: Dict[str, torch.Tensor] = {}
        for x, g, unit in calls:
            for k, v in video_grads(module, x, g, unit, num_units).items():
                per_video[k] = per_video[k] + v if k in per_video else v
        for v in per_video.values():
            total += v.flatten(1).pow(2).sum(1)
        formed = ('rows' if isinstance(module, (nn.GroupNorm, nn.LayerNorm))
                  or weight is None or not weight.requires_grad else
                  'direct')
        return total, formed
    total = g0.new_zeros(num_units)
    if module.bias is not None and module.bias.requires_grad:
        total += _video_sums(_bias_rows(module, g0), unit0, num_units,
                             grouping).pow(2).sum(1)
    order, per = grouping
    x, g = (x0, g0) if order is None else (x0[order], g0[order])
    if method == 'auto':
        method = choose_method(module, layer_positions(module, g), per, 1)
    if method == 'ghost':
        if isinstance(module, _CONVS):
            a = _conv_unfold(x, module)  # (B, P, G, d)
            gg = _conv_grad_rows(g, module.groups)  # (B, P, G, p)
        else:
            a = x.reshape(x.shape[0], -1, x.shape[-1]).unsqueeze(2)
            gg = g.reshape(g.shape[0], -1, g.shape[-1]).unsqueeze(2)
        a = a.reshape((num_units, per * a.shape[1]) + tuple(a.shape[2:]))
        gg = gg.reshape((num_units, per * gg.shape[1]) + tuple(gg.shape[2:]))
        return total + _ghost(a.transpose(1, 2), gg.transpose(1, 2)), method
    if isinstance(module, _CONVS):
        norms = _direct_conv(module, x, g, num_units, per, False)[0]
    else:
        norms = _direct_linear(x.reshape(num_units, -1, x.shape[-1]),
                               g.reshape(num_units, -1, g.shape[-1]),
                               False)[0]
    return total + norms, method


def _bias_rows(module: nn.Module, g: torch.Tensor) -> torch.Tensor:
    """(B_l, O) per-sub-row bias gradients of a conv or linear layer."""
    if isinstance(module, _CONVS):
        return g.reshape(g.shape[0], g.shape[1], -1).sum(-1)
    return g.reshape(g.shape[0], -1, g.shape[-1]).sum(1)


def _per_video_weight_grads(module: nn.Module, x: torch.Tensor,
                            g: torch.Tensor, unit: torch.Tensor,
                            num_units: int) -> torch.Tensor:
    """(V, *weight.shape) per-video weight gradients, one video at a time."""
    out = module.weight.new_zeros((num_units, ) + tuple(module.weight.shape))
    for video in range(num_units):
        sel = unit == video
        if bool(sel.any()):
            out[video] = _weight_grad(module, x[sel], g[sel])
    return out


def _weight_grad(module: nn.Module, x: torch.Tensor,
                 g: torch.Tensor) -> torch.Tensor:
    """Ordinary weight gradient of a conv/linear layer from (input, grad)."""
    if isinstance(module, _CONVS):
        return _CONV_WEIGHT_GRAD[x.dim() - 2](
            x, module.weight.shape, g, module.stride, module.padding,
            module.dilation, module.groups)
    return g.reshape(-1, g.shape[-1]).t() @ x.reshape(-1, x.shape[-1])


def weighted_grads(module: nn.Module, calls: Sequence[Call]
                   ) -> Dict[str, torch.Tensor]:
    """``sum_r c_r * grad_r`` of the layer's trainable parameters.

    Args:
        module (nn.Module): A supported layer.
        calls (Sequence[tuple]): ``(input, output_gradient, c)`` per call,
            ``c`` (B_l,) the weight of each sub-row.

    Returns:
        dict: ``{'weight': ..., 'bias': ...}`` for trainable parameters.
    """
    out: Dict[str, torch.Tensor] = {}

    def add(name: str, value: torch.Tensor) -> None:
        out[name] = out[name] + value if name in out else value

    for x, g, coefficient in calls:
        c = coefficient.to(g.dtype).view((-1, ) + (1, ) * (g.dim() - 1))
        gc = g * c
        if isinstance(module, (nn.GroupNorm, nn.LayerNorm)):
            for k, v in _norm_rows(module, x, gc).items():
                add(k, v.sum(0))
            continue
        if module.weight.requires_grad:
            add('weight', _weight_grad(module, x, gc))
        if module.bias is not None and module.bias.requires_grad:
            add('bias', _bias_rows(module, gc).sum(0))
    return out


def layer_positions(module: nn.Module, grad_output: torch.Tensor) -> int:
    """Output positions per sub-row."""
    if isinstance(module, _CONVS):
        return grad_output[0, 0].numel()
    return grad_output[0].numel() // grad_output.shape[-1]


__all__: List[str] = [
    'SUPPORTED_LAYERS', 'unsupported_reason', 'choose_method',
    'group_by_video', 'video_grads', 'video_sq_norms', 'weighted_grads',
    'layer_positions'
]
