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
* *direct* (per-video instantiation): form ``A^T G`` per video, one
  grouped weight-gradient call for all videos; costs ``mP d p``.

:func:`video_sq_norms` picks the cheaper per layer (Bu et al., "mixed"
ghost clipping). :func:`weighted_grads` gives ``sum_r c_r a_r^T g_r``, the
clipped aggregate once ``c`` holds each sub-row's clip factor (the
"book-keeping" trick: no second backward pass).

Supported: ``Conv1d/2d/3d`` (zero padding, any stride, dilation, groups),
``Linear`` (any leading dims) and affine ``GroupNorm`` / ``LayerNorm``.
"""
from typing import Dict, List, Optional, Sequence, Tuple

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

Call = Tuple[torch.Tensor, torch.Tensor]  # (layer input, output gradient)


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


def _sq_norm_rows(rows: torch.Tensor, unit: torch.Tensor,
                  num_units: int) -> torch.Tensor:
    """Squared norms of per-video sums of instantiated per-row tensors."""
    per_video = rows.new_zeros((num_units, ) + tuple(rows.shape[1:]))
    per_video.index_add_(0, unit, rows)
    return per_video.flatten(1).pow(2).sum(1)


def _ghost(a: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """(V, G, n, d), (V, G, n, p) -> (V,) sum over G of ||a^T g||^2."""
    gram_a = a @ a.transpose(-1, -2)
    gram_g = g @ g.transpose(-1, -2)
    return (gram_a * gram_g).flatten(1).sum(1)


def _direct_linear(a: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """(V, n, d), (V, n, p) -> (V,) ||a^T g||^2, chunked over videos."""
    out = []
    step = max(1, _DIRECT_CHUNK_ELEMENTS // (a.shape[-1] * g.shape[-1]))
    for i in range(0, a.shape[0], step):
        out.append((a[i:i + step].transpose(1, 2) @ g[i:i + step]
                    ).flatten(1).pow(2).sum(1))
    return torch.cat(out)


def _direct_conv(module: nn.Module, x: torch.Tensor, g: torch.Tensor,
                 num_units: int, per: int) -> torch.Tensor:
    """Per-video conv weight gradients as one grouped weight-grad call.

    ``x``/``g`` are sorted video-major with ``per`` sub-rows per video.
    Videos become groups: (per, V*C, *S) input, (per, V*O, *S') output
    gradient, ``groups = V * module.groups``; the batch sum then runs over
    one video's sub-rows only. Chunked so at most about 2^24 gradient
    elements exist at once.
    """
    nd = x.dim() - 2
    weight_grad = _CONV_WEIGHT_GRAD[nd]
    out_ch = module.weight.shape[0]
    step = max(1, _DIRECT_CHUNK_ELEMENTS // module.weight.numel())
    norms = []
    for i in range(0, num_units, step):
        v = min(step, num_units - i)
        xs = x[i * per:(i + v) * per]
        gs = g[i * per:(i + v) * per]
        xs = xs.reshape((v, per) + tuple(xs.shape[1:])).transpose(0, 1)
        gs = gs.reshape((v, per) + tuple(gs.shape[1:])).transpose(0, 1)
        xs = xs.reshape((per, -1) + tuple(xs.shape[3:]))
        gs = gs.reshape((per, -1) + tuple(gs.shape[3:]))
        shape = (v * out_ch, ) + tuple(module.weight.shape[1:])
        grad = weight_grad(xs, shape, gs, module.stride, module.padding,
                           module.dilation, v * module.groups)
        norms.append(grad.reshape(v, -1).pow(2).sum(1))
    return torch.cat(norms)


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
                   method: str = 'auto') -> Tuple[torch.Tensor, str]:
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

    Returns:
        tuple: (V,) squared norms over the layer's trainable parameters,
        and the method used (``'ghost'``, ``'direct'`` or ``'rows'``).
    """
    total = calls[0][1].new_zeros(num_units)
    if isinstance(module, (nn.GroupNorm, nn.LayerNorm)):
        rows: Dict[str, torch.Tensor] = {}
        for x, g in calls:
            for k, v in _norm_rows(module, x, g).items():
                rows[k] = rows[k] + v if k in rows else v
        for v in rows.values():
            total += _sq_norm_rows(v, unit, num_units)
        return total, 'rows'

    if module.bias is not None and module.bias.requires_grad:
        bias_rows = sum(_bias_rows(module, g) for _, g in calls)
        total += _sq_norm_rows(bias_rows, unit, num_units)
    if not module.weight.requires_grad:
        return total, 'rows'
    norms, method = _weight_sq_norms(module, calls, unit, num_units, method)
    return total + norms, method


def _bias_rows(module: nn.Module, g: torch.Tensor) -> torch.Tensor:
    """(B_l, O) per-sub-row bias gradients of a conv or linear layer."""
    if isinstance(module, _CONVS):
        return g.reshape(g.shape[0], g.shape[1], -1).sum(-1)
    return g.reshape(g.shape[0], -1, g.shape[-1]).sum(1)


def _weight_sq_norms(module: nn.Module, calls: Sequence[Call],
                     unit: torch.Tensor, num_units: int, method: str
                     ) -> Tuple[torch.Tensor, str]:
    """Per-video squared norms of a conv/linear weight gradient."""
    grouping = _group_by_video(unit, num_units)
    if grouping is None or len(calls) > 1:
        # Unequal rows per video or a layer run several times: form each
        # video's gradient (summed over calls), one video at a time.
        per_video = None
        for x, g in calls:
            grads = _per_video_weight_grads(module, x, g, unit, num_units)
            per_video = grads if per_video is None else per_video + grads
        return per_video.flatten(1).pow(2).sum(1), 'direct'
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
        return _ghost(a.transpose(1, 2), gg.transpose(1, 2)), method
    if isinstance(module, _CONVS):
        return _direct_conv(module, x, g, num_units, per), method
    a = x.reshape(num_units, -1, x.shape[-1])
    gg = g.reshape(num_units, -1, g.shape[-1])
    return _direct_linear(a, gg), method


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
    'SUPPORTED_LAYERS', 'unsupported_reason', 'choose_method',
    'video_sq_norms', 'weighted_grads', 'layer_positions'
]
