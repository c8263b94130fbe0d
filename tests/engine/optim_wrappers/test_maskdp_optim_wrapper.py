"""MaskDPOptimWrapper on real MMAction2 recognizers: per-video gradients
equal per-example autograd, sensitivity is bounded at the pixel level,
noise has the stated scale, bad configurations are refused, and its state
(step count, noise RNG) survives a checkpoint."""
import copy

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from mmengine.registry import init_default_scope

from .private_model import (NUM_CLASSES, build_model, build_tsn,
                            build_wrapper, make_batch, private_direction,
                            random_batch)

TINY_SIGMA = 1e-9  # noise far below the comparison tolerance


@pytest.fixture(autouse=True)
def mmaction_scope():
    import mmprivact  # noqa: F401
    init_default_scope('mmaction')


def _per_video_grad(model, video, label):
    """Gradient of one video's own loss, by plain autograd."""
    model.zero_grad()
    inputs = video.unsqueeze(0)
    if model.data_preprocessor.format_shape == 'NCHW':
        scores = model.cls_head(model.backbone(inputs.flatten(0, 1)),
                                num_segs=video.shape[0])
    else:
        scores = model.cls_head(model.backbone(inputs.flatten(0, 1)))
    F.cross_entropy(scores, torch.tensor([label])).backward()
    return [p.grad.clone() for p in model.parameters() if p.requires_grad]


def _reference(model, videos, labels, masks, *, C, E, mode):
    """(sum_i h_i + sum_i clip_C(g_i - h_i)) / E, one video at a time."""
    model = copy.deepcopy(model)
    total = None
    for i, label in enumerate(labels):
        g = _per_video_grad(model, videos[i], label)
        if mode == 'maskdp':
            m = masks[i].unsqueeze(1)  # clip axis, then channel axis
            h = _per_video_grad(model, torch.where(m, videos[i], 0.0), label)
        else:
            h = [torch.zeros_like(t) for t in g]
        diff = [a - b for a, b in zip(g, h)]
        norm = torch.sqrt(sum(d.pow(2).sum() for d in diff))
        factor = min(1.0, C / float(norm))
        term = [b + d * factor for b, d in zip(h, diff)]
        total = term if total is None else [t + u for t, u in zip(total,
                                                                    term)]
    return [t / E for t in total]


# The fast path with its default sequential views, with both views as one
# batch of 2B rows, and the exact path.
CLIPPINGS = {'fast': dict(clipping='fast'),
             'fast_batched': dict(clipping='fast', sequential_views=False),
             'exact': dict(clipping='exact')}


@pytest.mark.parametrize('clipping', list(CLIPPINGS))
@pytest.mark.parametrize('mode', ['maskdp', 'dpsgd'])
@pytest.mark.parametrize('builder,clips', [(build_model, 1), (build_tsn, 3)])
def test_direction_equals_per_example_autograd(mode, builder, clips,
                                               clipping):
    model = builder(mode)
    if builder is build_tsn:  # frames of a video are rows: (B, segs, C,H,W)
        g = torch.Generator().manual_seed(1)
        videos = torch.randn(4, clips, 3, 12, 12, generator=g)
        masks = torch.rand(4, clips, 12, 12, generator=g) > 0.5
        labels = [0, 2, 1, 2]
    else:
        videos, labels, masks = random_batch(4, seed=1)
    C, E = 0.05, 3.0
    expected = _reference(model, videos, labels, masks, C=C, E=E, mode=mode)
    wrapper = build_wrapper(model, max_grad_norm=C, **CLIPPINGS[clipping])
    wrapper.configure_privacy(noise_multiplier=TINY_SIGMA,
                              expected_batch_size=E)
    got = private_direction(model, wrapper,
                            make_batch(videos, labels, masks))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    # No silent fallback.
    assert wrapper.clipping_used == CLIPPINGS[clipping]['clipping']
    # Some videos were clipped, so the check is not vacuous.
    assert wrapper.last_stats['clip_fraction'] > 0


def _pre_noise(model, wrapper, videos, labels, masks):
    d = private_direction(model, wrapper, make_batch(videos, labels, masks))
    return torch.cat([t.flatten() for t in d]) * wrapper.expected_batch_size


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), victim=st.integers(0, 2),
       scale=st.sampled_from([0.1, 1.0, 30.0]),
       C=st.sampled_from([0.01, 0.3, 5.0]),
       clipping=st.sampled_from(['fast', 'exact']))
def test_sensitive_pixels_of_one_video_move_the_sum_by_at_most_2C(
        seed, victim, scale, C, clipping):
    """Masked adjacency: arbitrary new sensitive pixels for one video
    (replacement) move the pre-noise sum by <= 2C; removing them (the video
    becomes its own masked view) by <= C."""
    model = build_model('maskdp', seed=seed % 7)
    wrapper = build_wrapper(model, max_grad_norm=C, clipping=clipping)
    wrapper.configure_privacy(noise_multiplier=TINY_SIGMA,
                              expected_batch_size=2.0)
    videos, labels, masks = random_batch(3, seed)
    base = _pre_noise(model, wrapper, videos, labels, masks)
    g = torch.Generator().manual_seed(seed + 1)
    changed = videos.clone()
    new_pixels = scale * torch.randn(videos[victim].shape, generator=g)
    sensitive = ~masks[victim].unsqueeze(1)
    changed[victim] = torch.where(sensitive, new_pixels, videos[victim])
    replaced = _pre_noise(model, wrapper, changed, labels, masks)
    assert (replaced - base).norm() <= 2 * C * (1 + 1e-4) + 1e-6
    removed = videos.clone()
    removed[victim] = torch.where(sensitive, 0.0, videos[victim])
    without = _pre_noise(model, wrapper, removed, labels, masks)
    assert (without - base).norm() <= C * (1 + 1e-4) + 1e-6
    # The non-sensitive pixels are public: the sum may depend on them
    # without bound, so only the sensitive part is protected.


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), C=st.sampled_from([0.01, 1.0]),
       clipping=st.sampled_from(['fast', 'exact']))
def test_dpsgd_a_whole_video_moves_the_sum_by_at_most_2C(seed, C, clipping):
    model = build_model('dpsgd', seed=seed % 5)
    wrapper = build_wrapper(model, max_grad_norm=C, clipping=clipping)
    wrapper.configure_privacy(noise_multiplier=TINY_SIGMA,
                              expected_batch_size=2.0)
    videos, labels, masks = random_batch(3, seed)
    base = _pre_noise(model, wrapper, videos, labels, masks)
    other = videos.clone()
    other[0] = 50 * torch.randn(videos[0].shape)
    new_labels = [(labels[0] + 1) % NUM_CLASSES] + labels[1:]
    assert (_pre_noise(model, wrapper, other, new_labels, masks)
            - base).norm() <= 2 * C * (1 + 1e-4) + 1e-6
    fewer = _pre_noise(model, wrapper, videos[1:], labels[1:], masks[1:])
    assert (fewer - base).norm() <= C * (1 + 1e-4) + 1e-6


@pytest.mark.parametrize('secure_mode', [False, True])
def test_empty_batch_steps_with_noise_of_the_stated_scale(secure_mode):
    model = build_model('maskdp')
    wrapper = build_wrapper(model, max_grad_norm=0.5, lr=1.0, noise_seed=3,
                            secure_mode=secure_mode)
    sigma, E = 2.0, 4.0
    wrapper.configure_privacy(noise_multiplier=sigma, expected_batch_size=E)
    wrapper.attach(model)
    before = torch.cat([p.detach().flatten().clone()
                        for p in model.parameters()])
    wrapper.empty_batch_step()
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    update = before - after  # SGD, lr 1: the direction itself
    assert wrapper.private_steps == 1
    assert update.numel() > 1000
    expected = sigma * 0.5 / E
    # Sample std of n normals: relative standard error 1 / sqrt(2n).
    assert abs(update.std().item() / expected - 1) < 5 / (
        2 * update.numel())**0.5
    assert abs(update.mean().item()) < 5 * expected / update.numel()**0.5


def test_noise_continues_after_a_checkpoint_instead_of_repeating():
    def run(steps, state=None):
        model = build_model('dpsgd')
        wrapper = build_wrapper(model, noise_seed=11)
        wrapper.configure_privacy(noise_multiplier=1.0,
                                  expected_batch_size=1.0)
        if state is not None:
            wrapper.load_state_dict(state)
        wrapper.attach(model)
        draws = []
        for _ in range(steps):
            before = next(model.parameters()).detach().clone()
            wrapper.empty_batch_step()
            draws.append(before - next(model.parameters()).detach())
        return draws, wrapper.state_dict()

    straight, _ = run(3)
    _, state = run(1)
    resumed, end = run(2, copy.deepcopy(state))
    torch.testing.assert_close(resumed[0], straight[1])
    torch.testing.assert_close(resumed[1], straight[2])
    assert end['mmprivact']['private_steps'] == 3


def test_refuses_configurations_that_break_the_guarantee():
    model = build_model('maskdp')
    with pytest.raises(ValueError, match='clip_grad'):
        build_wrapper(model, clip_grad=dict(max_norm=1.0))
    with pytest.raises(ValueError, match='accumulative_counts'):
        build_wrapper(model, accumulative_counts=2)
    with pytest.raises(ValueError, match='max_grad_norm'):
        build_wrapper(model, max_grad_norm=0.0)
    wrapper = build_wrapper(model)
    with pytest.raises(RuntimeError, match='PrivacyAccountantHook'):
        private_direction(model, wrapper, make_batch(*_batch(2)))


def _batch(n):
    videos, labels, masks = random_batch(n, 0)
    return videos, labels, masks


def test_batchnorm_is_refused_with_the_module_name_or_converted():
    model = build_model('maskdp', norm='BN')
    wrapper = build_wrapper(model)
    with pytest.raises(ValueError, match=r'backbone\.conv1\.bn.*GroupNorm'):
        wrapper.attach(model)
    model = build_model('maskdp', norm='BN')
    wrapper = build_wrapper(
        model, constructor='MaskDPOptimWrapperConstructor',
        convert_batchnorm=True)
    wrapper.configure_privacy(noise_multiplier=TINY_SIGMA,
                              expected_batch_size=2.0)
    assert not any('BatchNorm' in type(m).__name__ for m in model.modules())
    direction = private_direction(model, wrapper, make_batch(*_batch(2)))
    assert all(torch.isfinite(d).all() for d in direction)
    # The optimizer holds the new GroupNorm parameters.
    held = {id(p) for g in wrapper.optimizer.param_groups for p in g['params']}
    assert held == {id(p) for p in model.parameters()}


def test_needs_a_private_data_preprocessor():
    model = build_model('maskdp')
    model.data_preprocessor = torch.nn.Identity()
    wrapper = build_wrapper(model)
    with pytest.raises(TypeError, match='MaskDPDataPreprocessor'):
        wrapper.attach(model)


def test_mode_none_is_an_ordinary_optimizer_step():
    model = build_model('none')
    reference = copy.deepcopy(model)
    wrapper = build_wrapper(model, lr=0.1)
    videos, labels, masks = _batch(3)
    model.train_step(make_batch(videos, labels, masks), wrapper)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    data = reference.data_preprocessor(make_batch(videos, labels, masks),
                                       True)
    loss, _ = reference.parse_losses(reference._run_forward(data, 'loss'))
    loss.backward()
    ref_opt.step()
    for a, b in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(a, b)
    assert wrapper.private_steps == 0 and not wrapper.is_private



def _with_unsupported_layer(model):
    """A trainable layer the fast path does not cover (unused by forward)."""
    model.cls_head.extra = torch.nn.Embedding(4, 2)
    return model


def test_unsupported_layer_is_refused_by_name_or_falls_back_loudly():
    model = _with_unsupported_layer(build_model('maskdp'))
    wrapper = build_wrapper(model)
    with pytest.raises(ValueError,
                       match=r'cls_head\.extra.*fallback_to_exact=True'):
        wrapper.attach(model)
    model = _with_unsupported_layer(build_model('maskdp'))
    reference = build_model('maskdp')
    wrapper = build_wrapper(model, max_grad_norm=0.05, fallback_to_exact=True)
    wrapper.configure_privacy(noise_multiplier=TINY_SIGMA,
                              expected_batch_size=3.0)
    with pytest.warns(UserWarning, match=r'cls_head\.extra'):
        wrapper.attach(model)
    assert wrapper.clipping_used == 'exact'
    videos, labels, masks = random_batch(4, seed=1)
    got = private_direction(model, wrapper, make_batch(videos, labels, masks))
    expected = _reference(reference, videos, labels, masks, C=0.05, E=3.0,
                          mode='maskdp')
    got = [g for g, p in zip(got, (p for p in model.parameters()
                                   if p.requires_grad))
           if p is not model.cls_head.extra.weight]
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_unknown_clipping_is_refused():
    with pytest.raises(ValueError, match='clipping must be one of'):
        build_wrapper(build_model('maskdp'), clipping='bogus')


def test_sequential_views_train_step():
    """MaskDP on the fast path: the model's forward sees the full view
    only (B rows), the wrapper runs the masked view and logs its loss; one
    private step over B videos, as with the 2B-row batch."""
    model = build_model('maskdp')
    batched = copy.deepcopy(model)
    rows_seen = []
    model.backbone.register_forward_hook(
        lambda m, i, o: rows_seen.append(i[0].shape[0]))
    videos, labels, masks = random_batch(3, seed=2)
    results = []
    for net, sequential in ((model, True), (batched, False)):
        wrapper = build_wrapper(net, max_grad_norm=0.05, lr=0.1,
                                noise_seed=1, sequential_views=sequential)
        wrapper.configure_privacy(noise_multiplier=TINY_SIGMA,
                                  expected_batch_size=3.0)
        log_vars = net.train_step(make_batch(videos, labels, masks),
                                  wrapper)
        assert wrapper.private_steps == 1
        assert wrapper.last_stats['batch_videos'] == 3.0
        assert net.data_preprocessor.pending_masked_view is None
        results.append((log_vars, wrapper))
    assert rows_seen == [3, 3]  # the full view, then the masked view
    assert 'train/loss_masked_view' in results[0][1].message_hub.log_scalars
    # The same update from both layouts.
    for a, b in zip(model.parameters(), batched.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    # The exact path keeps the 2B-row batch.
    exact = build_model('maskdp')
    build_wrapper(exact, clipping='exact').attach(exact)
    assert not exact.data_preprocessor.separate_masked_view


@pytest.mark.parametrize('sequential', [True, False])
def test_first_step_check_catches_an_invisible_computation(sequential):
    """A functional use of a layer's weight that the fast path does not
    see: the first step's check against the ordinary gradient refuses."""
    model = build_model('maskdp')
    weight = model.cls_head.fc_cls.weight
    model.backbone.register_forward_hook(
        lambda m, i, o: o * (1 + weight.sum()))
    wrapper = build_wrapper(model, sequential_views=sequential)
    wrapper.configure_privacy(noise_multiplier=TINY_SIGMA,
                              expected_batch_size=2.0)
    with pytest.raises(RuntimeError, match='do not add up'):
        private_direction(model, wrapper, make_batch(*_batch(2)))


def test_sequential_views_with_ghost_norms_everywhere():
    """With ghost norms the first layer keeps the full view's input until
    the clipped sum, so the masked view must not be written over it."""
    model = build_model('maskdp')
    videos, labels, masks = random_batch(4, seed=1)
    expected = _reference(model, videos, labels, masks, C=0.05, E=3.0,
                          mode='maskdp')
    wrapper = build_wrapper(model, max_grad_norm=0.05)
    wrapper.configure_privacy(noise_multiplier=TINY_SIGMA,
                              expected_batch_size=3.0)
    wrapper.attach(model)
    wrapper._ghost.method = 'ghost'
    got = private_direction(model, wrapper, make_batch(videos, labels, masks))
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    assert wrapper._ghost.last_methods['backbone.conv1.conv'] == 'ghost'
