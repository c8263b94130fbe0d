"""The accountant facade agrees with an independent implementation
(Google's dp-accounting), calibration inverts it, and its state resumes."""
import itertools
import logging
import warnings

import dp_accounting
import pytest
from dp_accounting import pld, rdp

from mmprivact.privacy import (PrivacyAccountant, calibrate_noise_multiplier,
                               compute_epsilon, epsilon_of_history)
from mmprivact.privacy.accountant import RDP_ORDERS

DELTA = 1e-5
GRID = list(itertools.product([0.8, 1.5, 3.0], [0.005, 0.03, 0.1],
                              [100, 2000]))


@pytest.fixture(autouse=True)
def quiet():
    """Both libraries warn about RDP orders at extreme settings."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yield
    root.setLevel(level)


def _reference(runs, kind):
    events = [
        dp_accounting.SelfComposedDpEvent(
            dp_accounting.PoissonSampledDpEvent(
                q, dp_accounting.GaussianDpEvent(sigma)), n)
        for sigma, q, n in runs
    ]
    # Same Rényi orders as ours: the quantity is the same, the code is not.
    acc = (rdp.RdpAccountant(orders=RDP_ORDERS) if kind == 'rdp' else
           pld.PLDAccountant(value_discretization_interval=1e-4))
    acc.compose(dp_accounting.ComposedDpEvent(events))
    return acc.get_epsilon(DELTA)


def test_reference_values_from_environment_notes():
    """shared/ENVIRONMENT.md: RDP 2.1014, PRV 1.8384 (eps_error 0.01)."""
    kw = dict(noise_multiplier=1.0, sample_rate=0.01, steps=1000, delta=DELTA)
    assert compute_epsilon(**kw) == pytest.approx(2.1014, abs=1e-3)
    assert compute_epsilon(**kw, accountant='prv') == pytest.approx(
        1.83, abs=0.015)


def test_extra_orders_only_tighten_rdp():
    """At small budgets Opacus' default orders leave the optimum out."""
    from opacus.accountants import RDPAccountant
    default = RDPAccountant()
    default.history = [(3.0, 0.005, 100)]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        loose = default.get_epsilon(delta=DELTA)
    ours = compute_epsilon(noise_multiplier=3.0, sample_rate=0.005,
                           steps=100, delta=DELTA)
    assert ours < loose


@pytest.mark.parametrize('sigma,q,steps', GRID)
def test_rdp_agrees_with_dp_accounting(sigma, q, steps):
    ours = compute_epsilon(noise_multiplier=sigma, sample_rate=q,
                           steps=steps, delta=DELTA)
    ref = _reference([(sigma, q, steps)], 'rdp')
    if ref > 30:  # dp-accounting drops non-converging orders up there
        pytest.skip(f'epsilon {ref:.1f} outside the range of interest')
    assert ours == pytest.approx(ref, rel=0.02)


@pytest.mark.parametrize('sigma,q,steps', GRID)
def test_prv_agrees_with_dp_accounting_pld(sigma, q, steps):
    ours = compute_epsilon(noise_multiplier=sigma, sample_rate=q,
                           steps=steps, delta=DELTA, accountant='prv')
    ref = _reference([(sigma, q, steps)], 'pld')
    assert ours == pytest.approx(ref, rel=0.02)


@pytest.mark.parametrize('accountant,kind', [('rdp', 'rdp'),
                                             ('prv', 'pld')])
def test_heterogeneous_history_composes(accountant, kind):
    runs = [(2.0, 0.02, 300), (1.2, 0.05, 200), (2.0, 0.02, 100)]
    ours = epsilon_of_history(runs, delta=DELTA, accountant=accountant)
    assert ours == pytest.approx(_reference(runs, kind), rel=0.02)


@pytest.mark.parametrize('accountant', ['rdp', 'prv'])
@pytest.mark.parametrize('target', [0.5, 1.0, 8.0])
def test_calibration_inverts_compute_epsilon(accountant, target):
    q, steps = 1 / 30, 1200
    sigma = calibrate_noise_multiplier(target_epsilon=target, delta=DELTA,
                                       sample_rate=q, steps=steps,
                                       accountant=accountant)
    eps = compute_epsilon(noise_multiplier=sigma, sample_rate=q, steps=steps,
                          delta=DELTA, accountant=accountant)
    assert target - 0.01 - 1e-9 <= eps <= target
    # A little less noise would exceed the budget: sigma is tight.
    more = compute_epsilon(noise_multiplier=sigma * 0.97, sample_rate=q,
                           steps=steps, delta=DELTA, accountant=accountant)
    assert more > target


def test_running_accountant_matches_one_shot_and_resumes():
    acc = PrivacyAccountant(delta=DELTA)
    for _ in range(50):
        acc.step(noise_multiplier=1.1, sample_rate=0.02)
    assert acc.history == [(1.1, 0.02, 50)] and acc.steps == 50
    state = acc.state_dict()

    resumed = PrivacyAccountant(delta=DELTA)
    resumed.load_state_dict(state)
    resumed.step(noise_multiplier=1.1, sample_rate=0.02, num_steps=150)
    one_shot = compute_epsilon(noise_multiplier=1.1, sample_rate=0.02,
                               steps=200, delta=DELTA)
    assert resumed.get_epsilon() == pytest.approx(one_shot, rel=1e-9)
    assert resumed.get_epsilon() > acc.get_epsilon()  # continues, no restart
    assert acc.epsilon_after(noise_multiplier=1.1, sample_rate=0.02,
                             num_steps=150) == pytest.approx(one_shot,
                                                             rel=1e-9)


def test_resume_with_other_settings_is_refused():
    acc = PrivacyAccountant(delta=DELTA)
    acc.step(noise_multiplier=1.0, sample_rate=0.01)
    other = PrivacyAccountant(delta=1e-6, accountant='prv')
    with pytest.raises(ValueError, match='same privacy settings'):
        other.load_state_dict(acc.state_dict())


def test_empty_history_costs_nothing():
    assert PrivacyAccountant(delta=DELTA).get_epsilon() == 0.0


@pytest.mark.parametrize('kwargs,match', [
    (dict(noise_multiplier=0.0), 'noise_multiplier'),
    (dict(sample_rate=1.5), 'sample_rate'),
    (dict(steps=-1), 'steps'),
    (dict(delta=1.0), 'delta'),
    (dict(accountant='gdp'), 'accountant'),
])
def test_bad_arguments_are_named(kwargs, match):
    args = dict(noise_multiplier=1.0, sample_rate=0.01, steps=10,
                delta=DELTA)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        compute_epsilon(**args)


def test_privacy_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        compute_epsilon(1.0, 0.01, 10, DELTA)  # noqa
