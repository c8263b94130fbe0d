"""PenaltyMinimaxRecognizer: which step updates what, the penalty's effect
on f_A, pretraining, inference, and the optimizer config."""
import copy
import math

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.optim import OptimWrapperDict, build_optim_wrapper

import mmprivact  # noqa: F401


@pytest.fixture(autouse=True)
def mmaction_scope():
    """Build as a runner does: MMAction2's registries by default."""
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')

TINY_UNET = dict(type='UNetAnonymizer', encoder='conv',
                 encoder_channels=(4, 4, 8, 8, 8),
                 decoder_channels=(8, 8, 8, 8, 4))


def model_cfg(**overrides):
    cfg = dict(
        type='PenaltyMinimaxRecognizer',
        utility=dict(
            type='Recognizer3D',
            backbone=dict(type='ResNet3d', depth=18, pretrained=None,
                          pretrained2d=False, base_channels=4,
                          conv1_kernel=(3, 7, 7), conv1_stride_t=1,
                          pool1_stride_t=1, inflate=(1, 1, 1, 1),
                          zero_init_residual=False),
            cls_head=dict(type='I3DHead', num_classes=3, in_channels=32,
                          average_clips='prob')),
        anonymizer=TINY_UNET,
        privacy=dict(type='ContrastivePrivacyBranch', hidden_channels=32,
                     proj_dim=16),
        budget=0.5, schedule='alternate', mean=(127.5, ) * 3,
        std=(64.0, ) * 3)
    cfg.update(overrides)
    return cfg


OPTIM = dict(
    constructor='PerModuleOptimWrapperConstructor',
    anonymizer=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3)),
    utility=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3)),
    privacy=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3)))


def batch(n=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    video = [torch.randint(0, 256, (1, 3, 4, 32, 32), generator=g,
                           dtype=torch.uint8) for _ in range(n)]
    samples = [ActionDataSample().set_gt_label(i % 3) for i in range(n)]
    return dict(inputs=video, data_samples=samples)


def build(seed=0, **overrides):
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg(**overrides))
    model.init_weights()
    return model, build_optim_wrapper(model, copy.deepcopy(OPTIM))


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def changed(before, module):
    now = module.state_dict()
    return [k for k, v in before.items()
            if v.dtype.is_floating_point and not torch.equal(v, now[k])]


def test_optim_wrapper_dict_builds_from_an_ordinary_config():
    model, wrappers = build()
    assert isinstance(wrappers, OptimWrapperDict)
    assert set(wrappers.keys()) == {'anonymizer', 'utility', 'privacy'}
    ids = {id(p) for p in model.anonymizer.parameters()}
    held = {id(p) for g in wrappers['anonymizer'].optimizer.param_groups
            for p in g['params']}
    assert held == ids
    with pytest.raises(KeyError, match='PerModuleOptimWrapperConstructor'):
        model.train_step(batch(), OptimWrapperDict(
            anonymizer=wrappers['anonymizer']))


def test_step1_moves_only_f_a_and_step2_only_f_t_and_f_b():
    model, wrappers = build()
    a, t, b = (snapshot(m) for m in (model.anonymizer, model.utility,
                                     model.privacy))
    log = model.train_step(batch(), wrappers)  # alternate: step 1 first
    assert 'loss_anonymizer' in log and 'loss_utility' not in log
    assert changed(a, model.anonymizer)
    assert changed(t, model.utility) == []  # weights and BN statistics
    assert changed(b, model.privacy) == []
    a, t, b = (snapshot(m) for m in (model.anonymizer, model.utility,
                                     model.privacy))
    log = model.train_step(batch(seed=1), wrappers)  # step 2
    assert 'loss_utility' in log and 'loss_privacy' in log
    assert changed(a, model.anonymizer) == []
    assert changed(t, model.utility) and changed(b, model.privacy)
    assert all(p.requires_grad for p in model.parameters())


def test_budget_changes_the_f_a_update():
    """Same seed and batch: a budget every frame exceeds (B = 0) gives a
    different f_A step than one nothing reaches (B = 100), and the latter
    equals the step without any penalty term."""
    results = {}
    for name, kw in [('active', dict(budget=0.0, penalty_weight=10.0)),
                     ('inactive', dict(budget=100.0, penalty_weight=10.0)),
                     ('none', dict(budget=0.0, penalty_weight=0.0))]:
        model, wrappers = build(seed=3, **kw)
        torch.manual_seed(7)  # same views for f_B
        log = model.train_step(batch(), wrappers)
        results[name] = (snapshot(model.anonymizer), log)
    act, inact, none = (results[k][0] for k in ('active', 'inactive',
                                                 'none'))
    assert float(results['active'][1]['penalty_active']) == 1.0
    assert float(results['inactive'][1]['penalty_active']) == 0.0
    assert any(not torch.equal(act[k], inact[k]) for k in act)
    assert all(torch.allclose(inact[k], none[k]) for k in inact)


@pytest.mark.parametrize('space', ['pixel', 'feature'])
def test_other_penalty_spaces_reach_f_a(space):
    model, wrappers = build(seed=3, budget=0.0, penalty_weight=10.0,
                            penalty_space=space)
    log = model.train_step(batch(), wrappers)
    assert float(log['penalty']) > 0 and float(log['penalty_active']) == 1


def test_pretraining_reconstructs_then_minimax_starts():
    model, wrappers = build(anonymizer_pretrain_iters=1, schedule='both')
    t = snapshot(model.utility)
    log = model.train_step(batch(), wrappers)
    assert set(log) == {'loss_reconstruction'}
    assert changed(t, model.utility) == []
    log = model.train_step(batch(), wrappers)
    assert {'loss_anonymizer', 'loss_utility', 'loss_privacy'} <= set(log)
    assert int(model.state_dict()['train_steps']) == 2


def test_restart_gives_f_b_fresh_weights_and_an_empty_optimizer():
    model, wrappers = build(schedule='both')
    fresh = snapshot(model.privacy)
    for i in range(2):
        model.train_step(batch(seed=i), wrappers)
    trained = snapshot(model.privacy)
    a, t = snapshot(model.anonymizer), snapshot(model.utility)
    assert wrappers['privacy'].optimizer.state  # Adam moments exist
    model.restart_privacy(wrappers['privacy'])
    now = model.privacy.state_dict()
    assert not wrappers['privacy'].optimizer.state
    assert changed(a, model.anonymizer) == []
    assert changed(t, model.utility) == []
    bn = [k for k in now if '.bn.' in k and now[k].dtype.is_floating_point]
    weights = [k for k in now if k.endswith('weight') and k not in bn]
    assert bn and len(weights) == 20 + 2  # ResNet-18 convs, projector
    # BatchNorm back to its init: weight 1, bias 0, fresh running statistics
    for k in bn:
        want = 1.0 if k.endswith(('.weight', 'running_var')) else 0.0
        assert torch.equal(now[k], torch.full_like(now[k], want)), k
        assert not torch.equal(now[k], trained[k]), k  # training moved it
    # convolutions and the projector: a new draw at the init's scale (the
    # runner's Kaiming init for MMAction2's ResNet), not the trained values
    for k in weights:
        assert not torch.equal(now[k], trained[k]), k
        assert not torch.equal(now[k], fresh[k]), k
        ratio = float(now[k].std()) / float(fresh[k].std())
        assert 0.7 < ratio < 1.3, (k, ratio)


def test_restart_sends_rank_0s_new_f_b_to_every_rank(monkeypatch):
    from mmengine import dist
    model, wrappers = build()
    sent = []
    monkeypatch.setattr(dist, 'broadcast',
                        lambda t, src=0, group=None: sent.append((t, src)))
    model.restart_privacy(wrappers['privacy'])
    state = model.privacy.state_dict()
    assert len(sent) == len(state) and {src for _, src in sent} == {0}
    # in place: the broadcast tensors are f_B's own storage
    assert all(t.data_ptr() == v.data_ptr()
               for (t, _), v in zip(sent, state.values()))


def record_restarts(model, monkeypatch):
    """Record ``(train_steps, member)`` at each f_B restart (the restart
    still runs)."""
    calls = []
    real = model.restart_privacy
    monkeypatch.setattr(
        model, 'restart_privacy', lambda w, member=0: calls.append(
            (int(model.train_steps), member)) or real(w, member))
    return calls


@pytest.mark.parametrize('pretrain', [0, 1])
def test_restart_interval_counts_minimax_iterations(pretrain, monkeypatch):
    model, wrappers = build(schedule='both', privacy_restart_interval=2,
                            anonymizer_pretrain_iters=pretrain)
    calls = record_restarts(model, monkeypatch)
    for i in range(5 + pretrain):
        model.train_step(batch(seed=i), wrappers)
    # restarts before minimax iterations 2 and 4 (train_steps counts the
    # current iteration, pre-training included)
    assert calls == [(3 + pretrain, 0), (5 + pretrain, 0)]


def test_restart_schedule_survives_a_resume(monkeypatch):
    """The schedule follows the saved iteration count, so a run resumed
    after iteration 2 restarts f_B before iteration 4, as an unbroken run
    does."""
    model, wrappers = build(schedule='both', privacy_restart_interval=2)
    for i in range(3):
        model.train_step(batch(seed=i), wrappers)
    resumed, new_wrappers = build(seed=1, schedule='both',
                                  privacy_restart_interval=2)
    resumed.load_state_dict(model.state_dict())
    calls = record_restarts(resumed, monkeypatch)
    for i in range(3, 6):
        resumed.train_step(batch(seed=i), new_wrappers)
    assert calls == [(5, 0)]


def test_no_restart_by_default(monkeypatch):
    model, wrappers = build(schedule='both')
    monkeypatch.setattr(model, 'restart_privacy',
                        lambda *a: pytest.fail('f_B restarted'))
    for i in range(3):
        model.train_step(batch(seed=i), wrappers)


def test_after_anonymizer_train_iters_only_f_t_trains(monkeypatch):
    """From iteration N on: f_A and f_B (weights and BN statistics) stay
    as they are, f_T still trains, no f_B restart, and only f_T's loss is
    logged."""
    model, wrappers = build(schedule='both', anonymizer_train_iters=2,
                            privacy_restart_interval=1)
    for i in range(2):
        log = model.train_step(batch(seed=i), wrappers)
        assert 'loss_anonymizer' in log and 'loss_privacy' in log
    monkeypatch.setattr(model, 'restart_privacy',
                        lambda *a: pytest.fail('f_B restarted'))
    a, t, b = (snapshot(m) for m in (model.anonymizer, model.utility,
                                     model.privacy))
    for i in range(2, 4):
        log = model.train_step(batch(seed=i), wrappers)
        assert set(log) == {'loss_utility'}
    assert changed(a, model.anonymizer) == []
    assert changed(b, model.privacy) == []
    assert changed(t, model.utility)


def test_anonymizer_train_iters_follows_the_saved_iteration_count():
    """A run resumed after the switch does not restart the game."""
    model, wrappers = build(schedule='both', anonymizer_train_iters=1)
    model.train_step(batch(), wrappers)
    resumed, new_wrappers = build(seed=1, schedule='both',
                                  anonymizer_train_iters=1)
    resumed.load_state_dict(model.state_dict())
    a = snapshot(resumed.anonymizer)
    log = resumed.train_step(batch(seed=1), new_wrappers)
    assert set(log) == {'loss_utility'}
    assert changed(a, resumed.anonymizer) == []


def test_fixed_f_a_drops_the_game_terms_from_the_log():
    """MMEngine shows a scalar's last value until it is logged again; once
    f_A is fixed the minimax terms leave the message hub, f_T's stays."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('test_fixed_f_a_log')
    model, wrappers = build(schedule='both', anonymizer_train_iters=1)
    for i in range(2):
        log = model.train_step(batch(seed=i), wrappers)
        hub.update_scalars({f'train/{k}': v for k, v in log.items()})
    assert set(hub.log_scalars) == {'train/loss_utility'}


def test_pretraining_term_leaves_the_log_when_the_game_starts():
    """``loss_reconstruction`` is not printed with its last value on."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('test_pretraining_log')
    model, wrappers = build(schedule='both', anonymizer_pretrain_iters=1,
                            anonymizer_train_iters=2)
    seen = []
    for i in range(3):
        log = model.train_step(batch(seed=i), wrappers)
        hub.update_scalars({f'train/{k}': v for k, v in log.items()})
        seen.append(set(hub.log_scalars))
    assert seen[0] == {'train/loss_reconstruction'}
    assert 'train/loss_anonymizer' in seen[1]
    assert 'train/loss_reconstruction' not in seen[1]
    assert seen[2] == {'train/loss_utility'}


def test_ensemble_members_are_independent_and_all_optimized():
    model, wrappers = build(privacy_ensemble=3)
    members = model.privacy_members
    assert len(members) == 3
    first = [k for k, v in members[0].state_dict().items()
             if k.endswith('conv.weight')][0]
    draws = [m.state_dict()[first] for m in members]
    assert not torch.equal(draws[0], draws[1])
    assert not torch.equal(draws[1], draws[2])
    held = {id(p) for g in wrappers['privacy'].optimizer.param_groups
            for p in g['params']}
    assert held == {id(p) for m in members for p in m.parameters()}


def test_f_a_fools_the_strongest_ensemble_member():
    """Step 1 with two f_B's updates f_A exactly as with the stronger one
    (lower NT-Xent) alone, and unlike with the weaker one alone."""
    ensemble, wrappers = build(seed=3, privacy_ensemble=2)
    start = copy.deepcopy(ensemble.state_dict())
    torch.manual_seed(7)  # same frames and views for every model
    log = ensemble.train_step(batch(), wrappers)  # alternate: step 1
    alone = []
    for i in range(2):
        single, single_wrappers = build(seed=3)
        single.load_state_dict({
            k.replace(f'privacy.{i}.', 'privacy.'): v
            for k, v in start.items()
            if not k.startswith('privacy.') or
            k.startswith(f'privacy.{i}.')})
        torch.manual_seed(7)
        alone.append((single.train_step(batch(), single_wrappers),
                      snapshot(single.anonymizer)))
    losses = [float(lg['anonymizer_privacy_loss']) for lg, _ in alone]
    strong, weak = (0, 1) if losses[0] < losses[1] else (1, 0)
    assert losses[strong] < losses[weak]
    assert float(log['anonymizer_privacy_loss']) == pytest.approx(
        losses[strong])
    now = ensemble.anonymizer.state_dict()
    assert all(torch.allclose(now[k], v) for k, v in alone[strong][1].items())
    assert any(not torch.allclose(now[k], v)
               for k, v in alone[weak][1].items())


def test_step2_trains_every_ensemble_member():
    model, wrappers = build(privacy_ensemble=2, schedule='both')
    before = [snapshot(m) for m in model.privacy_members]
    a = snapshot(model.anonymizer)
    model.train_step(batch(), wrappers)
    assert all(changed(b, m) for b, m in zip(before, model.privacy_members))
    assert changed(a, model.anonymizer)  # step 1 ran too (schedule both)


def test_ensemble_members_restart_in_turn(monkeypatch):
    model, wrappers = build(schedule='both', privacy_ensemble=2,
                            privacy_restart_interval=2)
    calls = record_restarts(model, monkeypatch)
    for i in range(7):
        model.train_step(batch(seed=i), wrappers)
    # minimax iterations 2, 4 and 6 restart members 0, 1, 0
    assert calls == [(3, 0), (5, 1), (7, 0)]


def test_restarting_one_member_leaves_the_others():
    model, wrappers = build(schedule='both', privacy_ensemble=2)
    for i in range(2):
        model.train_step(batch(seed=i), wrappers)
    kept, restarted = model.privacy_members
    state = wrappers['privacy'].optimizer.state
    before = snapshot(kept)
    moments = {id(p): state[p]['exp_avg'].clone() for p in kept.parameters()}
    trained = snapshot(restarted)
    model.restart_privacy(wrappers['privacy'], member=1)
    assert changed(before, kept) == []
    assert all(torch.equal(state[p]['exp_avg'], moments[id(p)])
               for p in kept.parameters())
    assert not any(p in state for p in restarted.parameters())
    assert set(changed(trained, restarted)) == {
        k for k, v in trained.items() if v.dtype.is_floating_point}


def test_predict_runs_f_t_on_anonymized_frames():
    model, _ = build()
    model.eval()
    data = model.data_preprocessor(batch(), False)
    with torch.no_grad():
        out = model(data['inputs'], data['data_samples'], mode='predict')
        anon = model(data['inputs'], mode='tensor')
        direct = model.utility.predict(model._normalize(anon),
                                       data['data_samples'])
    assert anon.shape == data['inputs'].shape
    assert 0 <= float(anon.min()) and float(anon.max()) <= 1
    assert len(out) == 2 and out[0].pred_score.shape == (3, )
    assert torch.allclose(out[0].pred_score, direct[0].pred_score)


def encoded_frames(clips=3, t=4):
    """(clips, 1, 3, t, 8, 8) in [0, 1]; frame (c, i) is the constant
    (c + 1) / 10 + i / 100, so a view names its clip and frame."""
    value = torch.arange(clips)[:, None] / 10 + 0.1 + torch.arange(t) / 100
    return value.view(clips, 1, 1, t, 1, 1).expand(-1, 1, 3, -1, 8, 8)


@pytest.mark.parametrize('positives', ['view', 'clip'])
def test_privacy_positive_pairs(positives):
    """'view': both views of a pair are the same frame; 'clip': two
    different frames of the same clip. Views are identity maps here (full
    crop, no colour change), so each view's value names its frame."""
    model = MODELS.build(model_cfg(
        privacy_positives=positives,
        views=dict(scale=(1.0, 1.0), ratio=(1.0, 1.0), jitter=0.0,
                   grayscale_prob=0.0)))
    pairs = []

    class Record(torch.nn.Module):
        def forward(self, a, b):
            pairs.append((a, b))
            return a.sum() * 0

    model.nt_xent = Record()
    model.privacy_members[0].forward = lambda v: v[:, 0, 0, 0]
    torch.manual_seed(0)
    model.privacy_loss(encoded_frames())
    v1, v2 = (torch.round(v * 100).long() for v in pairs[0])
    clip1, clip2 = v1 // 10, v2 // 10
    assert torch.equal(clip1, clip2)  # a pair never crosses clips
    if positives == 'view':
        assert len(v1) == 6 and torch.equal(v1, v2)  # 2 frames per clip
    else:
        assert len(v1) == 3 and torch.equal(clip1, torch.tensor([1, 2, 3]))
        assert (v1 != v2).all()  # two different frames of the clip


def test_clip_positives_need_two_frames():
    with pytest.raises(ValueError, match='privacy_frames_per_clip=2'):
        MODELS.build(model_cfg(privacy_positives='clip',
                               privacy_frames_per_clip=3))
    model = MODELS.build(model_cfg(privacy_positives='clip'))
    with pytest.raises(ValueError, match='at least 2 frames per clip'):
        model.privacy_loss(encoded_frames(t=1))


def test_clip_positives_train_all_three_networks():
    model, wrappers = build(privacy_positives='clip', schedule='both')
    before = [snapshot(m) for m in (model.anonymizer, model.utility,
                                    model.privacy)]
    log = model.train_step(batch(), wrappers)
    assert all(changed(b, m) for b, m in zip(
        before, (model.anonymizer, model.utility, model.privacy)))
    assert torch.isfinite(log['loss_privacy'])


def test_entropy_adversary_changes_only_f_a_s_privacy_term():
    """f_A maximizes f_B's matching entropy; f_B still trains on NT-Xent."""
    x = encoded_frames(clips=3) + 0.05 * torch.rand(3, 1, 3, 4, 8, 8)
    scores = {}
    for adversary in ('nt_xent', 'entropy'):
        torch.manual_seed(0)
        model = MODELS.build(model_cfg(privacy_adversary=adversary))
        scores[adversary] = []
        for as_adversary in (False, True):
            torch.manual_seed(1)  # same frames and views
            scores[adversary].append(
                model.privacy_loss(x, adversary=as_adversary))
    nt_xent = scores['nt_xent'][0]
    assert torch.equal(scores['entropy'][0], nt_xent)  # f_B's loss
    assert torch.equal(scores['nt_xent'][1], nt_xent)  # default f_A term
    entropy = scores['entropy'][1]
    assert not torch.allclose(entropy, nt_xent)
    assert 0 < float(entropy) <= math.log(2 * 6 - 1) + 1e-6  # 6 frames


def test_entropy_adversary_steers_f_a_differently():
    updates = {}
    for adversary in ('nt_xent', 'entropy'):
        model, wrappers = build(seed=2, privacy_adversary=adversary)
        torch.manual_seed(5)
        log = model.train_step(batch(), wrappers)  # alternate: step 1
        updates[adversary] = (snapshot(model.anonymizer), log)
    a, b = updates['nt_xent'][0], updates['entropy'][0]
    assert any(not torch.allclose(a[k], b[k]) for k in a)
    assert float(updates['entropy'][1]['anonymizer_privacy_loss']) <= \
        math.log(2 * 4 - 1) + 1e-6  # 2 clips x 2 frames, two views each


def masked_batch(n=2, keep=None):
    """batch() with a 'person' mask per sample (1, T, H, W): True on the
    left half of every frame, or ``keep`` everywhere when given."""
    data = batch(n)
    for sample in data['data_samples']:
        mask = torch.zeros(1, 4, 32, 32, dtype=torch.bool)
        mask[..., :16] = True
        if keep is not None:
            mask[:] = keep
        sample.set_metainfo(dict(person=mask.numpy()))
    return data


def test_privacy_region_hides_the_rest_from_f_b():
    """f_B's loss is the same whatever f_A(x) holds outside the region."""
    model, _ = build(privacy_region_key='person')
    data = model.data_preprocessor(masked_batch(), True)
    x, samples = data['inputs'], data['data_samples']
    region = model.privacy_region(samples, x)
    assert region.shape == (2, 1, 1, 4, 32, 32)
    other = x.clone()
    other[..., 16:] = torch.rand_like(other[..., 16:])  # outside only
    losses = []
    for frames in (x, other, x.flip(-1)):
        torch.manual_seed(3)
        losses.append(model.privacy_loss(frames, region=region))
    assert torch.allclose(losses[0], losses[1])
    assert not torch.allclose(losses[0], losses[2])  # inside matters


def test_privacy_region_reaches_both_steps():
    """With an empty region f_B sees only grey: f_A gets no privacy
    gradient (its step 1 equals one with w_B = 0), f_B still trains."""
    updates, regions = [], []
    for key, weight in (('person', 5.0), (None, 0.0)):
        model, wrappers = build(seed=4, privacy_region_key=key,
                                privacy_weight=weight, schedule='both')
        loss = model.privacy_loss
        model.privacy_loss = lambda *a, **k: (
            regions.append(k.get('region')), loss(*a, **k))[1]
        before = snapshot(model.privacy)
        torch.manual_seed(6)
        model.train_step(masked_batch(keep=False), wrappers)
        updates.append(snapshot(model.anonymizer))
        assert changed(before, model.privacy)
    assert all(torch.allclose(updates[0][k], updates[1][k])
               for k in updates[0])
    # step 1 and step 2 of the masked model got the (empty) region
    assert [r is None for r in regions] == [False, False, True, True]
    assert all(float(r.sum()) == 0 for r in regions[:2])


def test_privacy_region_needs_the_masks():
    model, wrappers = build(privacy_region_key='person')
    with pytest.raises(ValueError, match="no 'person' meta field"):
        model.train_step(batch(), wrappers)
    data = masked_batch()
    data['data_samples'][1].set_metainfo(
        dict(person=torch.ones(1, 4, 16, 16, dtype=torch.bool).numpy()))
    with pytest.raises(ValueError, match='one .* mask per sample'):
        model.train_step(data, wrappers)


def moving_person_batch(shift=0):
    """batch() whose 'person' mask is an 8 x 8 block, in another place in
    every frame and sample, everything moved down-right by ``shift``."""
    data = batch()
    for i, sample in enumerate(data['data_samples']):
        mask = torch.zeros(1, 4, 32, 32, dtype=torch.bool)
        for t in range(4):
            top, left = 2 + 3 * t + shift, 4 * i + 2 * t + shift
            mask[0, t, top:top + 8, left:left + 8] = True
        sample.set_metainfo(dict(person=mask.numpy()))
        video = data['inputs'][i]
        data['inputs'][i] = video.roll((shift, shift), (-2, -1))
    return data


def test_privacy_region_crop_ignores_where_the_person_stands():
    """Cropped, f_B's loss is the same when the person and their mask move
    (f_A cannot change where they stand); masked only, it is not."""
    for crop in (True, False):
        model, _ = build(privacy_region_key='person',
                         privacy_region_crop=crop)
        losses = []
        for shift in (0, 8):
            data = model.data_preprocessor(moving_person_batch(shift), True)
            x, samples = data['inputs'], data['data_samples']
            torch.manual_seed(3)
            losses.append(model.privacy_loss(
                x, region=model.privacy_region(samples, x)))
        assert torch.allclose(losses[0], losses[1], atol=1e-5) == crop


def test_privacy_region_crop_keeps_frames_and_masks_paired(monkeypatch):
    """Each frame f_B crops comes with its own mask (grey exactly outside
    it), and all three networks train."""
    model, wrappers = build(privacy_region_key='person',
                            privacy_region_crop=True, schedule='both')
    seen = []
    crop = model.region_cropper.__call__
    monkeypatch.setattr(type(model.region_cropper), '__call__',
                        lambda self, f, m: (seen.append((f, m)),
                                            crop(f, m))[1])
    before = {name: snapshot(getattr(model, name))
              for name in ('anonymizer', 'utility', 'privacy')}
    model.train_step(moving_person_batch(), wrappers)
    assert len(seen) == 2  # step 1 and step 2
    for frames, masks in seen:
        assert frames.shape[0] == masks.shape[0] == 4  # 2 clips x 2 frames
        grey = (frames == 0.5).all(1, keepdim=True)
        assert torch.equal(grey, masks == 0)
        # every picked frame has its own, moving, block
        assert len({tuple(m.nonzero()[0].tolist()) for m in masks}) > 1
    for name, state in before.items():
        assert changed(state, getattr(model, name)), name


def test_bad_arguments():
    for kw, match in [(dict(penalty_space='latent'), 'penalty_space'),
                      (dict(schedule='random'), 'schedule'),
                      (dict(anonymizer_pretrain_iters=-1), 'pretrain'),
                      (dict(privacy_frames_per_clip=0), 'frames_per_clip'),
                      (dict(privacy_restart_interval=-1), 'restart'),
                      (dict(privacy_restart_interval=2.5), 'restart'),
                      (dict(anonymizer_train_iters=-1),
                       'anonymizer_train_iters'),
                      (dict(anonymizer_train_iters=1.5),
                       'anonymizer_train_iters'),
                      (dict(anonymizer_train_iters=1,
                            anonymizer_pretrain_iters=2),
                       'anonymizer_train_iters'),
                      (dict(privacy_ensemble=0), 'privacy_ensemble'),
                      (dict(privacy_ensemble=2.0), 'privacy_ensemble'),
                      (dict(privacy_positives='frame'), 'privacy_positives'),
                      (dict(privacy_adversary='ce'), 'privacy_adversary'),
                      (dict(privacy_region_crop=True),
                       'privacy_region_key')]:
        with pytest.raises(ValueError, match=match):
            MODELS.build(model_cfg(**kw))


class RecordingLogger:
    """Stands in for MMLogger in the recognizer's module."""

    def __init__(self):
        self.warnings, self.infos = [], []

    def get_current_instance(self):
        return self

    def warning(self, msg):
        self.warnings.append(msg)

    def info(self, msg):
        self.infos.append(msg)


@pytest.fixture
def recorded_log(monkeypatch):
    from mmprivact.models.recognizers import penalty_minimax_recognizer
    logger = RecordingLogger()
    monkeypatch.setattr(penalty_minimax_recognizer, 'MMLogger', logger)
    return logger


def perturbed(seed=0):
    """A model whose f_T differs from any fresh draw, counter at 7."""
    model, _ = build(seed=seed)
    with torch.no_grad():
        for p in model.utility.parameters():
            p.add_(1.0)
        model.train_steps.fill_(7)
    return model


def assert_same(state, module):
    now = module.state_dict()
    assert state.keys() == now.keys()
    for k, v in state.items():
        assert torch.equal(v, now[k]), k


def test_utility_checkpoint_from_a_minimax_checkpoint(tmp_path,
                                                      recorded_log):
    a = perturbed()
    path = str(tmp_path / 'minimax.pth')
    torch.save({'state_dict': a.state_dict()}, path)
    b, _ = build(seed=1, utility_checkpoint=path)  # build runs init_weights
    assert_same(snapshot(a.utility), b.utility)
    for name in ('anonymizer', 'privacy'):  # fresh, not loaded
        assert changed(snapshot(getattr(a, name)), getattr(b, name)), name
    assert int(b.train_steps) == 0
    assert recorded_log.warnings == []
    assert len(recorded_log.infos) == 1 and path in recorded_log.infos[0]
    # loads again on a second call, though MMEngine's init chain runs once
    with torch.no_grad():
        for p in b.utility.parameters():
            p.zero_()
    b.init_weights()
    assert_same(snapshot(a.utility), b.utility)


def test_utility_checkpoint_from_a_recognizer_with_other_classes(
        tmp_path, recorded_log):
    a = perturbed()
    state = snapshot(a.utility)
    in_channels = state['cls_head.fc_cls.weight'].shape[1]
    state['cls_head.fc_cls.weight'] = torch.ones(5, in_channels)
    state['cls_head.fc_cls.bias'] = torch.ones(5)
    path = str(tmp_path / 'recognizer.pth')
    torch.save({'state_dict': state}, path)
    fresh = snapshot(build(seed=1)[0].utility)
    b, _ = build(seed=1, utility_checkpoint=path)
    now = b.utility.state_dict()
    for k, v in now.items():
        if k.startswith('backbone.'):
            assert torch.equal(v, state[k]), k
    for k in ('cls_head.fc_cls.weight', 'cls_head.fc_cls.bias'):
        assert now[k].shape[0] == 3
        assert torch.equal(now[k], fresh[k]), k  # its own initialisation
    assert len(recorded_log.warnings) == 1
    assert 'fc_cls.weight' in recorded_log.warnings[0]
    assert 'fc_cls.bias' in recorded_log.warnings[0]
    assert 'fc_cls' in recorded_log.infos[0]  # left at initialisation


def test_utility_checkpoint_errors(tmp_path):
    path = str(tmp_path / 'other.pth')
    torch.save({'state_dict': {'foo.weight': torch.zeros(1)}}, path)
    model = MODELS.build(model_cfg(utility_checkpoint=path))
    with pytest.raises(ValueError, match='other.pth') as err:
        model.init_weights()
    assert 'foo' in str(err.value)
    missing = str(tmp_path / 'missing.pth')
    model = MODELS.build(model_cfg(utility_checkpoint=missing))  # builds
    with pytest.raises(FileNotFoundError, match='utility_checkpoint'):
        model.init_weights()
    for bad in ('', 3):
        with pytest.raises(ValueError, match='utility_checkpoint'):
            MODELS.build(model_cfg(utility_checkpoint=bad))


def test_load_from_after_init_weights_overrides_utility_checkpoint(
        tmp_path):
    """The runner's order: init_weights, then load_from / resume."""
    a = perturbed()
    path = str(tmp_path / 'minimax.pth')
    torch.save({'state_dict': a.state_dict()}, path)
    b, _ = build(seed=1, utility_checkpoint=path)
    resumed, _ = build(seed=2)
    b.load_state_dict(resumed.state_dict())
    assert_same(snapshot(resumed), b)
