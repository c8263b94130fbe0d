"""GhostClipper: the clipped per-video sum without per-sample gradients
equals the sum built from each video's own autograd gradients, for every
supported layer, both norm methods, MaskDP and DP-SGD, several clips per
video, uneven videos and shared layers; unsupported layers and in-place
changes are refused, not computed wrong."""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmprivact.privacy import GhostClipper, build_ghost_clipper
from mmprivact.privacy import layer_gradients
from mmprivact.privacy.layer_gradients import choose_method

NUM_CLASSES = 4


class AllLayers(nn.Module):
    """Conv3d (stride), GroupNorm, grouped dilated Conv3d, Conv2d, Conv1d,
    LayerNorm and Linear, as a video model would chain them."""

    def __init__(self) -> None:
        super().__init__()
        self.c3 = nn.Conv3d(3, 8, 3, stride=(1, 2, 2), padding=1)
        self.gn = nn.GroupNorm(2, 8)
        self.grouped = nn.Conv3d(8, 8, 3, padding=(1, 2, 2),
                                 dilation=(1, 2, 2), groups=2)
        self.c2 = nn.Conv2d(8, 6, 3, padding=1, bias=False)
        self.c1 = nn.Conv1d(6, 6, 2, stride=2)
        self.ln = nn.LayerNorm(6)
        self.fc = nn.Linear(6, NUM_CLASSES)

    def forward(self, x):
        y = torch.relu(self.gn(self.c3(x)))
        y = torch.relu(self.grouped(y)).mean(2)  # (B, 8, H, W)
        y = self.c2(y).flatten(2)  # (B, 6, H*W)
        y = self.c1(y).transpose(1, 2)  # (B, P, 6)
        return self.fc(self.ln(y)).mean(1)


class SharedLayer(nn.Module):
    """One Linear applied twice (its per-video gradient sums two calls)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv3d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4, 4)
        self.head = nn.Linear(4, NUM_CLASSES)

    def forward(self, x):
        y = self.conv(x).mean((2, 3, 4))
        return self.head(torch.tanh(self.fc(torch.tanh(self.fc(y)))))


class Mixed(nn.Module):
    """A conv on many positions (direct) and wide linears on one position
    per clip (ghost), as in a video backbone and its head."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv3d(3, 8, 3, padding=1)
        self.gn = nn.GroupNorm(2, 8)
        self.wide = nn.Linear(8, 64)
        self.wider = nn.Linear(64, 64)
        self.head = nn.Linear(64, NUM_CLASSES)

    def forward(self, x):
        y = torch.relu(self.gn(self.conv(x))).mean((2, 3, 4))
        return self.head(torch.tanh(self.wider(torch.tanh(self.wide(y)))))


def _batch(videos, clips, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(videos, clips, 3, 4, 8, 8, generator=g)
    mask = torch.rand(videos, clips, 1, 4, 8, 8, generator=g) > 0.4
    labels = torch.randint(0, NUM_CLASSES, (videos, ), generator=g)
    return x, mask, labels


def _video_loss(model, x, label):
    """One video's loss: its clips are rows, their scores averaged."""
    scores = model(x).mean(0, keepdim=True)
    return F.cross_entropy(scores, label.view(1))


def _reference(model, x, mask, labels, *, C, mode):
    """sum_i h_i + clip_C(g_i - h_i) (maskdp) / sum_i clip_C(g_i), one
    video at a time with plain autograd."""
    params = [p for p in model.parameters() if p.requires_grad]
    total = [torch.zeros_like(p) for p in params]
    for i in range(len(labels)):
        g = torch.autograd.grad(_video_loss(model, x[i], labels[i]), params)
        if mode == 'maskdp':
            masked = torch.where(mask[i], x[i], 0.0)
            h = torch.autograd.grad(
                _video_loss(model, masked, labels[i]), params)
        else:
            h = [torch.zeros_like(p) for p in params]
        diff = [a - b for a, b in zip(g, h)]
        norm = torch.sqrt(sum(d.pow(2).sum() for d in diff))
        factor = min(1.0, C / float(norm))
        total = [t + b + factor * d for t, b, d in zip(total, h, diff)]
    return total


def _fast(model, x, mask, labels, *, C, mode, method='auto',
          keep_elements=None, views='stacked'):
    """The clipped sum as the optimizer wrapper computes it: maskdp's
    [full; masked] rows (clips flattened video-major) in one batch with a
    mean loss over rows (``views='stacked'``), or the full view, then the
    masked view, each its own forward and backward pass
    (``'separate'``)."""
    model = copy.deepcopy(model)
    clipper = GhostClipper(model, method)
    if keep_elements is not None:
        clipper.keep_elements = keep_elements
    videos, clips = x.shape[:2]
    views_x = [x, torch.where(mask, x, 0.0)] if mode == 'maskdp' else [x]
    num_rows = videos * len(views_x)
    video_index = torch.arange(num_rows) % videos
    masked = torch.arange(num_rows) >= videos

    def loss_of(rows, row_videos):
        scores = model(rows.flatten(0, 1)).view(len(rows), clips, -1)
        return F.cross_entropy(scores.mean(1), labels[row_videos])

    if views == 'stacked':
        loss = loss_of(torch.cat(views_x), video_index)
        clipper.begin(video_index=video_index, masked=masked, mode=mode)
        clipper.backward(loss, loss_scale=num_rows)
    else:
        for k, view in enumerate(views_x):
            loss = loss_of(view, torch.arange(videos))
            if k == 0:  # after the first forward pass, as the wrapper does
                clipper.begin(video_index=video_index, masked=masked,
                              mode=mode)
            clipper.backward(loss, loss_scale=videos,
                             rows=masked if k else ~masked)
    sums, norms = clipper.clipped_sum(max_grad_norm=C)
    params = [p for p in model.parameters() if p.requires_grad]
    return [sums[p] for p in params], norms, clipper


@pytest.mark.parametrize('views', ['stacked', 'separate'])
@pytest.mark.parametrize('method', ['auto', 'ghost', 'direct'])
@pytest.mark.parametrize('mode', ['maskdp', 'dpsgd'])
@pytest.mark.parametrize('C', [0.02, 1e6])
def test_clipped_sum_equals_per_video_autograd(method, mode, C, views):
    torch.manual_seed(0)
    model = AllLayers()
    x, mask, labels = _batch(3, clips=2)
    expected = _reference(model, x, mask, labels, C=C, mode=mode)
    got, norms, clipper = _fast(model, x, mask, labels, C=C, mode=mode,
                                method=method, views=views)
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    if method != 'auto':  # forced where it applies; norms use rows
        assert set(clipper.last_methods.values()) <= {method, 'rows'}
    assert norms.shape == (3, )


@pytest.mark.parametrize('views', ['stacked', 'separate'])
@pytest.mark.parametrize('mode', ['maskdp', 'dpsgd'])
@pytest.mark.parametrize('keep', [True, False])
@pytest.mark.parametrize('looped', [True, False])
def test_direct_paths_agree(mode, keep, looped, views, monkeypatch):
    """Per-video conv gradients one video at a time or as one grouped call,
    formed in the hooks and kept (summed over the views), or over the
    memory budget: inputs and output gradients kept and the norms formed
    in chunks. The same clipped sum."""
    monkeypatch.setattr(layer_gradients, '_LOOP_ELEMENTS',
                        0 if looped else 1 << 60)
    torch.manual_seed(0)
    model = AllLayers()
    x, mask, labels = _batch(3, clips=2)
    expected = _reference(model, x, mask, labels, C=0.02, mode=mode)
    got, _, clipper = _fast(model, x, mask, labels, C=0.02, mode=mode,
                            method='direct',
                            keep_elements=None if keep else 0, views=views)
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_clipping_binds_and_each_video_contributes_at_most_C():
    torch.manual_seed(1)
    model = AllLayers()
    x, mask, labels = _batch(4, clips=1, seed=3)
    C = 1e-3
    _, norms, _ = _fast(model, x, mask, labels, C=C, mode='dpsgd')
    assert bool((norms > C).all())  # every video was clipped
    for i in range(4):
        one, _, _ = _fast(model, x[i:i + 1], mask[i:i + 1], labels[i:i + 1],
                          C=C, mode='dpsgd')
        norm = torch.sqrt(sum(t.pow(2).sum() for t in one))
        assert float(norm) <= C * (1 + 1e-5)


def test_uneven_videos_and_a_layer_used_twice():
    torch.manual_seed(2)
    model = SharedLayer()
    g = torch.Generator().manual_seed(5)
    rows = torch.randn(5, 3, 2, 6, 6, generator=g)
    video_index = torch.tensor([0, 1, 1, 2, 2])  # video 0 has one row
    labels = torch.tensor([0, 1, 1, 3, 3])
    C = 0.05
    params = list(model.parameters())
    expected = [torch.zeros_like(p) for p in params]
    for v in range(3):
        sel = video_index == v
        loss = F.cross_entropy(model(rows[sel]), labels[sel],
                               reduction='sum')
        grads = torch.autograd.grad(loss, params)
        norm = torch.sqrt(sum(t.pow(2).sum() for t in grads))
        expected = [e + t * min(1.0, C / float(norm))
                    for e, t in zip(expected, grads)]
    fast_model = copy.deepcopy(model)
    clipper = GhostClipper(fast_model)
    loss = F.cross_entropy(fast_model(rows), labels)
    clipper.begin(video_index=video_index,
                  masked=torch.zeros(5, dtype=torch.bool), mode='dpsgd')
    clipper.backward(loss, loss_scale=5)
    sums, _ = clipper.clipped_sum(max_grad_norm=C)
    for p, e in zip(fast_model.parameters(), expected):
        torch.testing.assert_close(sums[p], e, rtol=1e-4, atol=1e-7)
    assert clipper.last_methods['fc'] == 'direct'


def test_plain_sum_is_the_ordinary_gradient_times_rows():
    torch.manual_seed(3)
    model = AllLayers()
    x, _, labels = _batch(3, clips=1)
    loss = F.cross_entropy(model(x[:, 0]), labels)
    ordinary = torch.autograd.grad(loss, list(model.parameters()),
                                   retain_graph=True)
    clipper = GhostClipper(model)
    loss = F.cross_entropy(model(x[:, 0]), labels)
    clipper.begin(video_index=torch.arange(3),
                  masked=torch.zeros(3, dtype=torch.bool), mode='dpsgd')
    clipper.backward(loss, loss_scale=3)
    plain = clipper.plain_sum()
    for p, grad in zip(model.parameters(), ordinary):
        torch.testing.assert_close(plain[p] / 3, grad, rtol=1e-4, atol=1e-7)


def test_plain_sum_over_two_views_and_the_ordinary_gradient_of_the_pass():
    """Separate views: plain_sum is the sum of every row's gradient, and
    ``also`` gives the ordinary gradient from the same backward pass."""
    torch.manual_seed(3)
    model = AllLayers()
    x, mask, labels = _batch(3, clips=1)
    views = [x[:, 0], torch.where(mask, x, 0.0)[:, 0]]
    params = list(model.parameters())
    expected = [torch.zeros_like(p) for p in params]
    for view in views:
        grads = torch.autograd.grad(
            F.cross_entropy(model(view), labels), params)
        expected = [e + 3 * g for e, g in zip(expected, grads)]
    clipper = GhostClipper(model)
    ordinary = [torch.zeros_like(p) for p in params]
    for k, view in enumerate(views):
        loss = F.cross_entropy(model(view), labels)
        if k == 0:
            clipper.begin(video_index=torch.arange(6) % 3,
                          masked=torch.arange(6) >= 3, mode='maskdp')
        grads = clipper.backward(loss, loss_scale=3,
                                 rows=torch.arange(3) + 3 * k, also=params)
        ordinary = [o + g for o, g in zip(ordinary, grads)]
    plain = clipper.plain_sum()
    for p, e, o in zip(params, expected, ordinary):
        torch.testing.assert_close(plain[p], e, rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(o, e, rtol=1e-4, atol=1e-6)


def test_unsupported_layers_are_named():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.PReLU(),
                          nn.BatchNorm2d(4))
    with pytest.raises(ValueError, match=r"1 \(PReLU.*2 \(BatchNorm2d"):
        GhostClipper(model)
    clipper, reason = build_ghost_clipper(model)
    assert clipper is None and 'PReLU' in reason
    frozen = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    frozen[1].requires_grad_(False)  # no trainable parameter: fine
    assert build_ghost_clipper(frozen)[0] is not None


def _dpsgd_rows(model, rows, labels, *, C, prepare=None):
    """GhostClipper's clipped sum of a batch where every row is a video,
    and the same from each row's own autograd gradient (dpsgd)."""
    params = [p for p in model.parameters() if p.requires_grad]
    expected = [torch.zeros_like(p) for p in params]
    for i in range(len(rows)):
        row = rows[i:i + 1].clone()
        row = prepare(row) if prepare else row
        grads = torch.autograd.grad(
            F.cross_entropy(model(row), labels[i:i + 1]), params)
        norm = torch.sqrt(sum(t.pow(2).sum() for t in grads))
        expected = [e + t * min(1.0, C / float(norm))
                    for e, t in zip(expected, grads)]
    clipper = GhostClipper(model)
    batch = rows.clone()
    batch = prepare(batch) if prepare else batch
    loss = F.cross_entropy(model(batch), labels)
    clipper.begin(video_index=torch.arange(len(rows)),
                  masked=torch.zeros(len(rows), dtype=torch.bool),
                  mode='dpsgd')
    clipper.backward(loss, loss_scale=len(rows))
    sums, _ = clipper.clipped_sum(max_grad_norm=C)
    clipper.remove()
    return [sums[p] for p in params], expected


class _Head(nn.Module):

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 5)
        self.head = nn.Linear(5, NUM_CLASSES)


def test_an_in_place_change_of_a_layer_output_is_computed_right():
    """The hook receives the gradient of the output as the layer made it,
    so a later in-place change (here of a view of it) does not matter."""

    class InPlace(_Head):

        def forward(self, x):
            y = self.fc(x)
            y[:, :2].mul_(3.0)
            return self.head(torch.tanh(y))

    torch.manual_seed(4)
    got, expected = _dpsgd_rows(InPlace(), torch.randn(4, 3),
                                torch.tensor([0, 1, 2, 3]), C=0.05)
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-7)


def test_an_in_place_change_of_a_layer_input_is_refused():

    class InputChanged(_Head):

        def forward(self, x):
            y = self.fc(x)
            x.mul_(2.0)  # the recorded input changes after the layer ran
            return self.head(y)

    model = InputChanged()
    clipper = GhostClipper(model)
    loss = F.cross_entropy(model(torch.randn(2, 3)), torch.tensor([0, 1]))
    clipper.begin(video_index=torch.arange(2),
                  masked=torch.zeros(2, dtype=torch.bool), mode='dpsgd')
    with pytest.raises(RuntimeError, match="input of layer 'fc' was changed"):
        clipper.backward(loss, loss_scale=2)


def test_a_kept_input_changed_before_the_sum_is_refused():
    """Ghost-norm layers keep their inputs until the clipped sum: a change
    in between (say, the next view written over the batch) is caught."""
    torch.manual_seed(0)
    model = Mixed()
    x, _, labels = _batch(2, clips=1)
    rows = x[:, 0].clone()
    clipper = GhostClipper(model, 'ghost')
    loss = F.cross_entropy(model(rows), labels)
    clipper.begin(video_index=torch.arange(2),
                  masked=torch.zeros(2, dtype=torch.bool), mode='dpsgd')
    clipper.backward(loss, loss_scale=2)
    assert clipper.holds(rows)  # the conv's input, kept for ghost norms
    assert not clipper.holds(rows.clone())
    rows.mul_(2.0)
    with pytest.raises(RuntimeError, match="input of layer 'conv' was "
                       'changed in place before the clipped sum'):
        clipper.clipped_sum(max_grad_norm=1.0)


def test_an_input_that_needs_a_gradient_still_reaches_every_layer():
    """No recorded layer's input is gradient-free here, so the outputs to
    differentiate with respect to come from the graph walk."""

    class Plain(_Head):

        def forward(self, x):
            return self.head(torch.tanh(self.fc(x)))

    torch.manual_seed(5)
    got, expected = _dpsgd_rows(Plain(), torch.randn(4, 3),
                                torch.tensor([0, 1, 2, 3]), C=0.05,
                                prepare=lambda t: t.requires_grad_())
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-7)


def test_another_backward_pass_over_the_graph_is_ignored():
    """The first-step check differentiates the loss once more (retaining
    the graph); the hooks must not count that pass."""
    torch.manual_seed(0)
    model = AllLayers()
    x, mask, labels = _batch(3, clips=1)
    clipper = GhostClipper(model)
    loss = F.cross_entropy(model(x[:, 0]), labels)
    torch.autograd.grad(loss, list(model.parameters()), retain_graph=True)
    clipper.begin(video_index=torch.arange(3),
                  masked=torch.zeros(3, dtype=torch.bool), mode='dpsgd')
    clipper.backward(loss, loss_scale=3)
    sums, _ = clipper.clipped_sum(max_grad_norm=0.02)
    expected = _reference(model, x, mask, labels, C=0.02, mode='dpsgd')
    for p, e in zip(model.parameters(), expected):
        torch.testing.assert_close(sums[p], e, rtol=1e-4, atol=1e-6)


def test_only_ghost_layers_keep_inputs_and_output_gradients():
    """Memory: a layer reduced to per-video gradients in its hook keeps
    neither its input nor its output gradient; only ghost-norm layers
    (few positions) keep them, for both views."""
    torch.manual_seed(0)
    x, mask, labels = _batch(3, clips=2)
    model = Mixed()
    expected = _reference(model, x, mask, labels, C=0.02, mode='maskdp')
    got, _, clipper = _fast(model, x, mask, labels, C=0.02, mode='maskdp',
                            views='separate')
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    states = {clipper.layers[i][0]: s for i, s in clipper._states.items()}
    assert set(states) == {name for name, _ in clipper.layers}
    for name, state in states.items():
        if clipper.last_methods[name] == 'ghost':
            assert state.per_video is None
            assert sorted(c[0] for c in state.calls) == [0, 1]  # 2 views
        else:
            assert state.calls is None and state.per_video
    assert clipper.last_methods['wider'] == 'ghost'
    assert clipper.last_methods['conv'] == 'direct'


@pytest.mark.parametrize('views', ['stacked', 'separate'])
def test_a_layer_used_twice_in_both_views(views):
    torch.manual_seed(6)
    model = SharedLayer()
    x, mask, labels = _batch(3, clips=2, seed=7)
    expected = _reference(model, x, mask, labels, C=0.05, mode='maskdp')
    got, _, clipper = _fast(model, x, mask, labels, C=0.05, mode='maskdp',
                            views=views)
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    assert clipper.last_methods['fc'] == 'direct'


def test_method_choice_follows_the_cost():
    deep = nn.Conv3d(64, 64, 3)  # d*p large, few positions: ghost
    assert choose_method(deep, positions=4, per=2, num_calls=1) == 'ghost'
    early = nn.Conv3d(3, 8, 3)  # many positions: direct
    assert choose_method(early, positions=4096, per=2,
                         num_calls=1) == 'direct'
    assert choose_method(deep, positions=4, per=2, num_calls=2) == 'direct'
    # Ghost a little dearer (n (d + p) = 32 * 896 > d p = 27648) but far
    # less to keep than the per-video gradients: ghost, given what a row
    # keeps; by cost alone, direct.
    mid = nn.Conv3d(32, 32, 3)
    assert choose_method(mid, positions=16, per=2, num_calls=1) == 'direct'
    assert choose_method(mid, positions=16, per=2, num_calls=1,
                         kept_per_row=1024) == 'ghost'
    assert choose_method(mid, positions=16, per=2, num_calls=1,
                         kept_per_row=20000) == 'direct'
    assert choose_method(early, positions=4096, per=2, num_calls=1,
                         kept_per_row=1) == 'direct'  # far dearer
