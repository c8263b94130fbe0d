"""Compare mmprivact's epsilon with Google's dp-accounting over a grid.

Prints a Markdown table: our RDP vs dp-accounting RDP (same Rényi orders),
and our PRV vs dp-accounting PLD, at delta = 1e-5.

Example:
    python tools/analysis/check_accountant.py
"""
import itertools
import logging
import warnings

import dp_accounting
from dp_accounting import pld, rdp

from mmprivact.privacy import compute_epsilon
from mmprivact.privacy.accountant import RDP_ORDERS

DELTA = 1e-5


def reference(sigma, q, steps, kind):
    event = dp_accounting.SelfComposedDpEvent(
        dp_accounting.PoissonSampledDpEvent(
            q, dp_accounting.GaussianDpEvent(sigma)), steps)
    acc = (rdp.RdpAccountant(orders=RDP_ORDERS) if kind == 'rdp' else
           pld.PLDAccountant(value_discretization_interval=1e-4))
    acc.compose(event)
    return acc.get_epsilon(DELTA)


def main():
    logging.getLogger().setLevel(logging.ERROR)
    warnings.simplefilter('ignore')
    print('| sigma | q | steps | ours RDP | dp-accounting RDP | ours PRV '
          '| dp-accounting PLD |')
    print('| --- | --- | --- | --- | --- | --- | --- |')
    for sigma, q, steps in itertools.product([0.8, 1.5, 3.0],
                                             [0.005, 0.03, 0.1],
                                             [100, 2000]):
        row = [sigma, q, steps]
        for ours, kind in (('rdp', 'rdp'), ('prv', 'pld')):
            row.append(compute_epsilon(noise_multiplier=sigma, sample_rate=q,
                                       steps=steps, delta=DELTA,
                                       accountant=ours))
            row.append(reference(sigma, q, steps, kind))
        print('| ' + ' | '.join(
            f'{v:.4g}' if isinstance(v, float) else str(v)
            for v in row) + ' |')


if __name__ == '__main__':
    main()
