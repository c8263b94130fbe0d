"""Compare two arms of runs paired by seed: a mean difference and its
t-interval, rather than one draw per arm."""
import math
from dataclasses import asdict, dataclass
from typing import Any, Dict, List

from scipy import stats

from .sweep.sweep_results import mean_std


@dataclass
class PairedSeedComparison:
    """``reference - treated`` per seed, and its mean with a t-interval.

    One run per arm says little when runs of one setting differ by as much
    as the effect being measured (an action recognizer trained for a few
    epochs moves by 10 points between seeds). Pairing by seed removes what
    the two arms share (data order, initialisation), and the Student-t
    interval of the mean difference says how far the mean can be trusted.

    Args:
        seeds (list[int]): The seeds both arms ran, ascending.
        reference (list[float]): The reference arm's value per seed.
        treated (list[float]): The treated arm's value per seed.
        confidence (float): Coverage of the interval. Defaults to 0.95.
    """
    seeds: List[int]
    reference: List[float]
    treated: List[float]
    confidence: float = 0.95

    @classmethod
    def from_runs(cls, reference: Dict[int, float], treated: Dict[int, float],
                  *, confidence: float = 0.95) -> 'PairedSeedComparison':
        """Pair two ``{seed: value}`` maps.

        Args:
            reference (dict[int, float]): The reference arm, by seed.
            treated (dict[int, float]): The treated arm, by seed.
            confidence (float): Coverage of the interval, in (0, 1).

        Returns:
            PairedSeedComparison: The paired comparison.

        Raises:
            ValueError: If a seed is in one arm only, fewer than two seeds
                are shared, or ``confidence`` is outside (0, 1).
        """
        if not 0 < confidence < 1:
            raise ValueError(
                f'confidence must be in (0, 1), got {confidence}; pass e.g. '
                '0.95 for a 95 % interval.')
        unpaired = sorted(set(reference) ^ set(treated))
        if unpaired:
            raise ValueError(
                f'seeds {unpaired} are in one arm only (reference: '
                f'{sorted(reference)}, treated: {sorted(treated)}); run the '
                'missing seeds or leave those runs out of both arms.')
        seeds = sorted(reference)
        if len(seeds) < 2:
            raise ValueError(
                f'a paired comparison needs at least 2 seeds, got {seeds}; '
                'run each arm with more seeds.')
        return cls(seeds=seeds, reference=[reference[s] for s in seeds],
                   treated=[treated[s] for s in seeds], confidence=confidence)

    @property
    def differences(self) -> List[float]:
        """list[float]: ``reference - treated`` per seed."""
        return [r - t for r, t in zip(self.reference, self.treated)]

    @property
    def mean_difference(self) -> float:
        """float: The mean of :attr:`differences`."""
        return mean_std(self.differences)[0]

    @property
    def std_difference(self) -> float:
        """float: The sample standard deviation (n - 1) of the differences
        (defined: :meth:`from_runs` requires two seeds or more)."""
        return mean_std(self.differences)[1]

    @property
    def interval(self) -> List[float]:
        """list[float]: ``[low, high]``, the Student-t interval of the mean
        difference at :attr:`confidence`, with ``n - 1`` degrees of
        freedom."""
        n = len(self.seeds)
        t = float(stats.t.ppf((1 + self.confidence) / 2, n - 1))
        half = t * self.std_difference / math.sqrt(n)
        return [self.mean_difference - half, self.mean_difference + half]

    def to_dict(self) -> Dict[str, Any]:
        """Return the inputs and every derived number, for JSON."""
        out = asdict(self)
        out.update(
            mean_reference=mean_std(self.reference)[0],
            mean_treated=mean_std(self.treated)[0],
            differences=self.differences,
            mean_difference=self.mean_difference,
            std_difference=self.std_difference,
            interval=self.interval)
        return out


__all__ = ['PairedSeedComparison']
