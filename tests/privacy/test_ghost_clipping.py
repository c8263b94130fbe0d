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
          keep_elements=None):
    """The batch as the MaskDP preprocessor lays it out: [full; masked]
    rows, clips flattened video-major, mean loss over rows."""
    model = copy.deepcopy(model)
    clipper = GhostClipper(model, method)
    if keep_elements is not None:
        clipper.keep_elements = keep_elements
    videos, clips = x.shape[:2]
    rows = torch.cat([x, torch.where(mask, x, 0.0)]) if mode == 'maskdp' \
        else x
    num_rows = rows.shape[0]
    video_index = torch.arange(num_rows) % videos
    masked = torch.arange(num_rows) >= videos
    scores = model(rows.flatten(0, 1)).view(num_rows, clips, -1).mean(1)
    loss = F.cross_entropy(scores, labels[video_index])
    clipper.backward(loss, loss_scale=num_rows)
    sums, norms = clipper.clipped_sum(video_index=video_index,
                                      masked=masked, max_grad_norm=C,
                                      mode=mode)
    params = [p for p in model.parameters() if p.requires_grad]
    return [sums[p] for p in params], norms, clipper


@pytest.mark.parametrize('method', ['auto', 'ghost', 'direct'])
@pytest.mark.parametrize('mode', ['maskdp', 'dpsgd'])
@pytest.mark.parametrize('C', [0.02, 1e6])
def test_clipped_sum_equals_per_video_autograd(method, mode, C):
    torch.manual_seed(0)
    model = AllLayers()
    x, mask, labels = _batch(3, clips=2)
    expected = _reference(model, x, mask, labels, C=C, mode=mode)
    got, norms, clipper = _fast(model, x, mask, labels, C=C, mode=mode,
                                method=method)
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    if method != 'auto':  # forced where it applies; norms use rows
        assert set(clipper.last_methods.values()) <= {method, 'rows'}
    assert norms.shape == (3, )


@pytest.mark.parametrize('mode', ['maskdp', 'dpsgd'])
@pytest.mark.parametrize('keep', [True, False])
@pytest.mark.parametrize('looped', [True, False])
def test_direct_paths_agree(mode, keep, looped, monkeypatch):
    """Per-video conv gradients one video at a time or as one grouped call,
    kept for the sum (with the masked half formed separately) or
    recomputed: the same clipped sum."""
    monkeypatch.setattr(layer_gradients, '_LOOP_ELEMENTS',
                        0 if looped else 1 << 60)
    torch.manual_seed(0)
    model = AllLayers()
    x, mask, labels = _batch(3, clips=2)
    expected = _reference(model, x, mask, labels, C=0.02, mode=mode)
    got, _, clipper = _fast(model, x, mask, labels, C=0.02, mode=mode,
                            method='direct',
                            keep_elements=None if keep else 0)
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
    clipper.backward(F.cross_entropy(fast_model(rows), labels),
                     loss_scale=5)
    sums, _ = clipper.clipped_sum(video_index=video_index,
                                  masked=torch.zeros(5, dtype=torch.bool),
                                  max_grad_norm=C, mode='dpsgd')
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
    clipper.backward(loss, loss_scale=3)
    plain = clipper.plain_sum()
    for p, grad in zip(model.parameters(), ordinary):
        torch.testing.assert_close(plain[p] / 3, grad, rtol=1e-4, atol=1e-7)


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


def test_an_in_place_change_of_a_layer_output_is_refused():

    class InPlace(nn.Module):

        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            y = self.fc(x)
            y.mul_(2.0)  # the recorded output changes after the layer ran
            return y.sum(1)

    model = InPlace()
    clipper = GhostClipper(model)
    loss = model(torch.randn(2, 3)).mean()
    with pytest.raises(RuntimeError, match="'fc' was changed in place"):
        clipper.backward(loss, loss_scale=2)


def test_method_choice_follows_the_cost():
    deep = nn.Conv3d(64, 64, 3)  # d*p large, few positions: ghost
    assert choose_method(deep, positions=4, per=2, num_calls=1) == 'ghost'
    early = nn.Conv3d(3, 8, 3)  # many positions: direct
    assert choose_method(early, positions=4096, per=2,
                         num_calls=1) == 'direct'
    assert choose_method(deep, positions=4, per=2, num_calls=2) == 'direct'
