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

:func:`video_sq_norms` picks the cheaper per layer (Bu et al., "mixed"
ghost clipping). :func:`weighted_grads` gives ``sum_r c_r a_r^T g_r``, the
clipped aggregate once ``c`` holds each sub-row's clip factor (the
"book-keeping" trick: no second backward pass).

Supported: ``Conv1d/2d/3d`` (zero padding, any stride, dilation, groups),
``Linear`` (any leading dims) and affine ``GroupNorm`` / ``LayerNorm``.
"""
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

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
# Input elements per video above which per-video conv gradients are formed
# one video at a time on CPU (see _direct_conv).
_LOOP_ELEMENTS = 1 << 17

Call = Tuple[torch.Tensor, torch.Tensor]  # (layer input, output gradient)


class KeptGrads(NamedTuple):
    """Per-video gradients formed while computing a layer's norms.

    Attributes:
        per_video (dict): ``{param name: (V, *param.shape)}``.
        split_sum (dict): ``{param name: sum over the split rows}`` for the
            parameters where it came for free (may be partial).
    """
    per_video: Dict[str, torch.Tensor]
    split_sum: Dict[str, torch.Tensor]


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


def _group_by_video(unit: torch.Tensor, num_units: int
                    ) -> Optional[Tuple[torch.Tensor, int]]:
    """Sub-row order that groups videos, if all have equally many rows."""
    counts = torch.bincount(unit, minlength=num_units)
    if num_units == 0 or bool((counts != counts[0]).any()):
        return None
    order = torch.argsort(unit, stable=True)
    return order, int(counts[0])


def _video_sums(rows: torch.Tensor, unit: torch.Tensor,
                num_units: int) -> torch.Tensor:
    """(V, ...) per-video sums of instantiated per-row tensors."""
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
                 num_units: int, per: int, keep: bool, halves: bool = False
                 ) -> Tuple[torch.Tensor, Optional[torch.Tensor],
                            Optional[torch.Tensor]]:
    """Squared norms of per-video conv weight gradients, formed at once.

    ``x``/``g`` are sorted video-major with ``per`` sub-rows per video.
    Chunked over videos so at most about 2^24 gradient elements exist at
    once, unless ``keep`` (then the (V, *weight.shape) gradients are
    returned too). With ``halves`` (and ``keep``), each video's two halves
    of rows are formed separately and the sum of all second halves is
    returned as well (for free: same work).
    """
    step = max(1, _DIRECT_CHUNK_ELEMENTS // module.weight.numel())
    # Measured on CPU: a grouped weight-gradient call is slow when each
    # video's rows are large (e.g. a stem conv on full frames); one ordinary
    # call per video is then several times faster.
    form = (_per_video_conv_grads_looped
            if not x.is_cuda and per * x[0].numel() >= _LOOP_ELEMENTS else
            _per_video_conv_grads_grouped)
    norms, kept, second = [], [], None
    halves = halves and keep
    for i in range(0, num_units, step):
        v = min(step, num_units - i)
        xs, gs = x[i * per:(i + v) * per], g[i * per:(i + v) * per]
        if halves:
            parts = form(module, xs, gs, 2 * v, per // 2)
            parts = parts.reshape((v, 2) + tuple(parts.shape[1:]))
            part = parts[:, 1].sum(0)
            second = part if second is None else second + part
            grads = parts.sum(1)
        else:
            grads = form(module, xs, gs, v, per)
        norms.append(grads.reshape(v, -1).pow(2).sum(1))
        if keep:
            kept.append(grads)
    return torch.cat(norms), torch.cat(kept) if keep else None, second


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
                  num_calls: int) -> str:
    """``'ghost'`` or ``'direct'``: the cheaper for this layer and batch.

    Args:
        module (nn.Module): A conv or linear layer.
        positions (int): Output positions P per sub-row.
        per (int): Sub-rows per video m.
        num_calls (int): Times the layer ran in the forward pass (ghost
            needs one call: its cross-call terms are not computed).
    """
    if num_calls != 1:
        return 'direct'
    groups = getattr(module, 'groups', 1)
    d = module.weight[0].numel()  # inputs per output unit, per group
    p = module.weight.shape[0] // groups
    n = per * positions
    return 'ghost' if n * (d + p) < d * p else 'direct'


def video_sq_norms(module: nn.Module, calls: Sequence[Call],
                   unit: torch.Tensor, num_units: int,
                   method: str = 'auto', keep: bool = False,
                   split: Optional[torch.Tensor] = None
                   ) -> Tuple[torch.Tensor, str, Optional['KeptGrads']]:
    """Squared norm of each video's gradient of this layer's parameters.

    Args:
        module (nn.Module): A supported layer (see
            :func:`unsupported_reason`).
        calls (Sequence[tuple]): ``(input, output_gradient)`` per call of
            the layer in the forward pass; the output gradients already
            carry each sub-row's sign and scale.
        unit (Tensor): (B_l,) long, the video of each sub-row.
        num_units (int): Number of videos V.
        method (str): ``'auto'`` (the cheaper), or force ``'ghost'`` /
            ``'direct'`` where both apply (for verification).
        keep (bool): Also return the per-video gradients where they are
            formed anyway (all but ghost-norm weights), so the clipped sum
            needs no further pass over this layer's rows.
        split (Tensor, optional): (B_l,) bool; with ``keep``, also return
            the sum of these sub-rows' gradients where it comes for free
            (MaskDP: the masked view's rows).

    Returns:
        tuple: (V,) squared norms over the layer's trainable parameters,
        the method used (``'ghost'``, ``'direct'`` or ``'rows'``), and, if
        ``keep`` and every trainable parameter's per-video gradients were
        formed, a :class:`KeptGrads` (else None).
    """
    total = calls[0][1].new_zeros(num_units)
    kept = KeptGrads({}, {})

    def add_rows(name: str, rows: torch.Tensor) -> None:
        kept.per_video[name] = _video_sums(rows, unit, num_units)
        if keep and split is not None:
            kept.split_sum[name] = rows[split].sum(0)

    if isinstance(module, (nn.GroupNorm, nn.LayerNorm)):
        rows: Dict[str, torch.Tensor] = {}
        for x, g in calls:
            for k, v in _norm_rows(module, x, g).items():
                rows[k] = rows[k] + v if k in rows else v
        for k, v in rows.items():
            add_rows(k, v)
            total += kept.per_video[k].flatten(1).pow(2).sum(1)
        return total, 'rows', kept if keep else None

    if module.bias is not None and module.bias.requires_grad:
        add_rows('bias', sum(_bias_rows(module, g) for _, g in calls))
        total += kept.per_video['bias'].pow(2).sum(1)
    if not module.weight.requires_grad:
        return total, 'rows', kept if keep else None
    norms, method, weight, second = _weight_sq_norms(
        module, calls, unit, num_units, method, keep, split)
    if weight is None:
        return total + norms, method, None
    kept.per_video['weight'] = weight
    if second is not None:
        kept.split_sum['weight'] = second
    return total + norms, method, kept


def _bias_rows(module: nn.Module, g: torch.Tensor) -> torch.Tensor:
    """(B_l, O) per-sub-row bias gradients of a conv or linear layer."""
    if isinstance(module, _CONVS):
        return g.reshape(g.shape[0], g.shape[1], -1).sum(-1)
    return g.reshape(g.shape[0], -1, g.shape[-1]).sum(1)


def _weight_sq_norms(
    module: nn.Module, calls: Sequence[Call], unit: torch.Tensor,
    num_units: int, method: str, keep: bool, split: Optional[torch.Tensor]
) -> Tuple[torch.Tensor, str, Optional[torch.Tensor],
           Optional[torch.Tensor]]:
    """Per-video squared norms of a conv/linear weight gradient, the
    method, (if ``keep`` and formed) the per-video gradients, and (if
    formed for free) the sum over the ``split`` rows."""
    grouping = _group_by_video(unit, num_units)
    if grouping is None or len(calls) > 1:
        # Unequal rows per video or a layer run several times: form each
        # video's gradient (summed over calls), one video at a time.
        per_video = None
        for x, g in calls:
            grads = _per_video_weight_grads(module, x, g, unit, num_units)
            per_video = grads if per_video is None else per_video + grads
        return (per_video.flatten(1).pow(2).sum(1), 'direct',
                per_video if keep else None, None)
    order, per = grouping
    x, g = calls[0][0][order], calls[0][1][order]
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
        return (_ghost(a.transpose(1, 2), gg.transpose(1, 2)), method, None,
                None)
    if isinstance(module, _CONVS):
        norms, grads, second = _direct_conv(
            module, x, g, num_units, per, keep,
            halves=split is not None and _second_halves(split[order], per))
        return norms, method, grads, second
    a = x.reshape(num_units, -1, x.shape[-1])
    gg = g.reshape(num_units, -1, g.shape[-1])
    norms, grads = _direct_linear(a, gg, keep)
    return norms, method, grads, None


def _second_halves(split: torch.Tensor, per: int) -> bool:
    """Whether, video by video, exactly the second half of the rows is
    ``split`` (MaskDP's full rows, then its masked rows)."""
    if per % 2:
        return False
    pattern = torch.arange(per, device=split.device) >= per // 2
    return bool((split.view(-1, per) == pattern).all())


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


def weighted_grads(module: nn.Module, calls: Sequence[Call],
                   coefficient: torch.Tensor) -> Dict[str, torch.Tensor]:
    """``sum_r c_r * grad_r`` of the layer's trainable parameters.

    Args:
        module (nn.Module): A supported layer.
        calls (Sequence[tuple]): ``(input, output_gradient)`` per call.
        coefficient (Tensor): (B_l,) weight of each sub-row.

    Returns:
        dict: ``{'weight': ..., 'bias': ...}`` for trainable parameters.
    """
    out: Dict[str, torch.Tensor] = {}

    def add(name: str, value: torch.Tensor) -> None:
        out[name] = out[name] + value if name in out else value

    for x, g in calls:
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
    """Output positions per sub-row (for reports)."""
    if isinstance(module, _CONVS):
        return grad_output[0, 0].numel()
    return grad_output[0].numel() // grad_output.shape[-1]


__all__: List[str] = [
    'SUPPORTED_LAYERS', 'KeptGrads', 'unsupported_reason', 'choose_method',
    'video_sq_norms', 'weighted_grads', 'layer_positions'
]
