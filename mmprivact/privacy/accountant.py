"""Privacy accounting for the Poisson-subsampled Gaussian mechanism.

A thin facade over Opacus' accountants (we do not re-derive RDP or PRV by
hand): ``'rdp'`` is Opacus' Rényi-DP accountant with the conversion of Balle
et al. (2020), ``'prv'`` its privacy-random-variable accountant. Both MaskDP
and DP-SGD release, per step, a sum of per-video terms clipped to norm C plus
``N(0, sigma^2 C^2 I)``, on a Poisson sample with rate q, so both are
accounted as the sub-sampled Gaussian mechanism with noise multiplier sigma.
"""
import math
from typing import Dict, List, Tuple

from opacus.accountants import PRVAccountant, RDPAccountant

ACCOUNTANTS = {'rdp': RDPAccountant, 'prv': PRVAccountant}

#: Rényi orders: Opacus' defaults stop at 63, which at large sigma (small
#: budgets) leaves the optimum outside the range and the bound loose; any
#: order gives a valid bound, so more orders only tighten it.
RDP_ORDERS = list(RDPAccountant.DEFAULT_ALPHAS) + [80, 96, 128, 192, 256, 384, 512, 1024]

_PRV_EPS_ERROR = 0.01
_PRV_FINE_EPS_ERROR = 1e-3
_PRV_FINE_BELOW = 1.0
_MAX_SIGMA = 1e4

#: One run of identical steps: (noise_multiplier, sample_rate, num_steps).
HistoryEntry = Tuple[float, float, int]


def _check(*, noise_multiplier=None, sample_rate=None, steps=None,
           delta=None, accountant=None, target_epsilon=None) -> None:
    """Validate privacy arguments; raise ValueError naming the bad one."""
    if noise_multiplier is not None and not (noise_multiplier > 0
                                             and math.isfinite(
                                                 noise_multiplier)):
        raise ValueError(f'noise_multiplier must be a positive number, got '
                         f'{noise_multiplier!r}.')
    if sample_rate is not None and not 0 < sample_rate <= 1:
        raise ValueError(f'sample_rate must be in (0, 1], got {sample_rate!r}'
                         ' (it is expected batch size / dataset size).')
    if steps is not None and (int(steps) != steps or steps < 0):
        raise ValueError(f'steps must be a non-negative integer, got '
                         f'{steps!r}.')
    if delta is not None and not 0 < delta < 1:
        raise ValueError(f'delta must be in (0, 1), got {delta!r}; use less '
                         'than 1 / dataset size.')
    if accountant is not None and accountant not in ACCOUNTANTS:
        raise ValueError(f'accountant must be one of {sorted(ACCOUNTANTS)}, '
                         f'got {accountant!r}.')
    if target_epsilon is not None and not target_epsilon > 0:
        raise ValueError(f'target_epsilon must be positive, got '
                         f'{target_epsilon!r}.')


def epsilon_of_history(history: List[HistoryEntry], *, delta: float,
                       accountant: str = 'rdp') -> float:
    """Epsilon after composing every run of steps in ``history``.

    Args:
        history (list[tuple[float, float, int]]): ``(noise_multiplier,
            sample_rate, num_steps)`` runs, in order.
        delta (float): Target delta.
        accountant (str): ``'rdp'`` or ``'prv'``.

    Returns:
        float: Epsilon; 0.0 for an empty history.
    """
    _check(delta=delta, accountant=accountant)
    runs = [(float(s), float(q), int(n)) for s, q, n in history if n > 0]
    if not runs:
        return 0.0
    for sigma, q, n in runs:
        _check(noise_multiplier=sigma, sample_rate=q, steps=n)
    impl = ACCOUNTANTS[accountant]()
    impl.history = runs
    if accountant == 'rdp':
        return float(impl.get_epsilon(delta=delta, alphas=RDP_ORDERS))
    # PRV's error bound is absolute (eps_error); tighten it for small
    # budgets, where 0.01 would be a large relative error.
    eps = float(impl.get_epsilon(delta=delta, eps_error=_PRV_EPS_ERROR))
    if eps < _PRV_FINE_BELOW:
        eps = float(impl.get_epsilon(delta=delta,
                                     eps_error=_PRV_FINE_EPS_ERROR))
    return eps


def compute_epsilon(*, noise_multiplier: float, sample_rate: float,
                    steps: int, delta: float,
                    accountant: str = 'rdp') -> float:
    """Epsilon of ``steps`` Poisson-subsampled Gaussian steps.

    Args:
        noise_multiplier (float): sigma, the noise std divided by the clip
            norm C.
        sample_rate (float): Poisson sampling rate q.
        steps (int): Number of steps.
        delta (float): Target delta.
        accountant (str): ``'rdp'`` or ``'prv'``.

    Returns:
        float: Epsilon.
    """
    _check(noise_multiplier=noise_multiplier, sample_rate=sample_rate,
           steps=steps)
    return epsilon_of_history([(noise_multiplier, sample_rate, steps)],
                              delta=delta, accountant=accountant)


def calibrate_noise_multiplier(*, target_epsilon: float, delta: float,
                               sample_rate: float, steps: int,
                               accountant: str = 'rdp',
                               epsilon_tolerance: float = 0.01) -> float:
    """Smallest sigma (within tolerance) whose epsilon is <= the target.

    Args:
        target_epsilon (float): Budget to reach after ``steps`` steps.
        delta (float): Target delta.
        sample_rate (float): Poisson sampling rate q.
        steps (int): Planned number of steps (> 0).
        accountant (str): ``'rdp'`` or ``'prv'``.
        epsilon_tolerance (float): The result's epsilon lies in
            ``[target - tolerance, target]``.

    Returns:
        float: The noise multiplier sigma.
    """
    _check(target_epsilon=target_epsilon, delta=delta,
           sample_rate=sample_rate, steps=steps, accountant=accountant)
    if steps < 1:
        raise ValueError(f'steps must be >= 1 to calibrate, got {steps}.')

    def eps(sigma):
        return compute_epsilon(noise_multiplier=sigma,
                               sample_rate=sample_rate, steps=steps,
                               delta=delta, accountant=accountant)

    # Bisection on this facade's own epsilon (Opacus' search uses a coarser
    # PRV error), so the printed guarantee is the one the search targeted.
    low, high = 0.0, 1.0
    while eps(high) > target_epsilon:
        low, high = high, 2 * high
        if high > _MAX_SIGMA:
            raise ValueError(
                f'target_epsilon={target_epsilon} is out of reach with '
                f'sample_rate={sample_rate}, steps={steps}, delta={delta} '
                f'(sigma > {_MAX_SIGMA}); raise the budget or lower the '
                'sample rate or the number of steps.')
    while target_epsilon - eps(high) > epsilon_tolerance:
        mid = (low + high) / 2
        if eps(mid) > target_epsilon:
            low = mid
        else:
            high = mid
    return high


class PrivacyAccountant:
    """Running account of the privacy spent by a training run.

    Records runs of identical steps and reports epsilon for the whole
    history, so a change of sigma or q mid-training (or a resume) is
    composed correctly. Its state is plain data for checkpoints.

    Args:
        delta (float): Target delta.
        accountant (str): ``'rdp'`` or ``'prv'``. Defaults to ``'rdp'``.
    """

    def __init__(self, *, delta: float, accountant: str = 'rdp') -> None:
        _check(delta=delta, accountant=accountant)
        self.delta = float(delta)
        self.accountant = accountant
        self.history: List[HistoryEntry] = []

    @property
    def steps(self) -> int:
        """Number of steps recorded."""
        return sum(n for _, _, n in self.history)

    def step(self, *, noise_multiplier: float, sample_rate: float,
             num_steps: int = 1) -> None:
        """Record ``num_steps`` steps with the given sigma and q."""
        _check(noise_multiplier=noise_multiplier, sample_rate=sample_rate,
               steps=num_steps)
        sigma, q = float(noise_multiplier), float(sample_rate)
        if self.history and self.history[-1][:2] == (sigma, q):
            last = self.history[-1]
            self.history[-1] = (sigma, q, last[2] + int(num_steps))
        else:
            self.history.append((sigma, q, int(num_steps)))

    def get_epsilon(self) -> float:
        """Epsilon spent so far (at this accountant's delta)."""
        return epsilon_of_history(self.history, delta=self.delta,
                                  accountant=self.accountant)

    def epsilon_after(self, *, noise_multiplier: float, sample_rate: float,
                      num_steps: int = 1) -> float:
        """Epsilon if ``num_steps`` more such steps were taken (no record)."""
        return epsilon_of_history(
            self.history + [(noise_multiplier, sample_rate, num_steps)],
            delta=self.delta, accountant=self.accountant)

    def state_dict(self) -> Dict:
        """Plain-data state for checkpoints."""
        return dict(delta=self.delta, accountant=self.accountant,
                    history=[list(h) for h in self.history])

    def load_state_dict(self, state: Dict) -> None:
        """Restore :meth:`state_dict` output; settings must match.

        Raises:
            ValueError: If the checkpoint was accounted with another delta
                or accountant (mixing them would misreport epsilon).
        """
        if (state['delta'], state['accountant']) != (self.delta,
                                                      self.accountant):
            raise ValueError(
                'The checkpoint was accounted with delta='
                f'{state["delta"]}, accountant={state["accountant"]!r}, but '
                f'this run uses delta={self.delta}, accountant='
                f'{self.accountant!r}. Resume with the same privacy '
                'settings, or start a new run.')
        self.history = [(float(s), float(q), int(n))
                        for s, q, n in state['history']]
