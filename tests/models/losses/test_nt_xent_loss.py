"""NT-Xent against a direct, loop-by-loop computation."""
import math

import pytest
import torch

from mmprivact.models.losses import NTXentLoss


def _rows(z1, z2, t):
    """Per row i: its partner's logit and the logits of every other row."""
    z = torch.cat([z1, z2])
    z = z / z.norm(dim=1, keepdim=True)
    n = len(z)
    for i in range(n):
        sims = [float(z[i] @ z[k]) / t for k in range(n) if k != i]
        yield float(z[i] @ z[(i + n // 2) % n]) / t, sims


def _direct(z1, z2, t):
    rows = list(_rows(z1, z2, t))
    return sum(-pos + math.log(sum(math.exp(s) for s in sims))
               for pos, sims in rows) / len(rows)


@pytest.mark.parametrize('t', [0.1, 0.5])
def test_matches_direct_computation(t):
    g = torch.Generator().manual_seed(0)
    z1 = torch.randn(5, 7, generator=g, dtype=torch.float64)
    z2 = torch.randn(5, 7, generator=g, dtype=torch.float64)
    loss = NTXentLoss(temperature=t)(z1, z2)
    assert float(loss) == pytest.approx(_direct(z1, z2, t), rel=1e-9)


def test_identical_views_of_distinct_frames_score_low():
    z = torch.eye(4, dtype=torch.float64)  # orthogonal embeddings
    low = NTXentLoss(0.1)(z, z)
    high = NTXentLoss(0.1)(z, z.roll(1, 0))  # partners swapped
    assert low < 0.01 < high
    # the gradient reaches both views
    a = torch.randn(3, 4, requires_grad=True)
    b = torch.randn(3, 4, requires_grad=True)
    NTXentLoss()(a, b).backward()
    assert a.grad.abs().sum() > 0 and b.grad.abs().sum() > 0


def test_bad_input():
    with pytest.raises(ValueError, match='temperature'):
        NTXentLoss(0)
    with pytest.raises(ValueError, match='B >= 2'):
        NTXentLoss()(torch.randn(1, 3), torch.randn(1, 3))
    with pytest.raises(ValueError, match='equal shape'):
        NTXentLoss()(torch.randn(2, 3), torch.randn(3, 3))


def _direct_entropy(z1, z2, t):
    total, rows = 0.0, list(_rows(z1, z2, t))
    for _, sims in rows:
        norm = math.log(sum(math.exp(s) for s in sims))
        total -= sum(math.exp(s - norm) * (s - norm) for s in sims)
    return total / len(rows)


@pytest.mark.parametrize('t', [0.1, 0.5])
def test_matching_entropy_matches_direct_computation(t):
    g = torch.Generator().manual_seed(1)
    z1 = torch.randn(5, 7, generator=g, dtype=torch.float64)
    z2 = torch.randn(5, 7, generator=g, dtype=torch.float64)
    h = NTXentLoss(temperature=t).matching_entropy(z1, z2)
    assert float(h) == pytest.approx(_direct_entropy(z1, z2, t), rel=1e-9)


def test_matching_entropy_bounds_and_gradient():
    loss = NTXentLoss(0.1)
    same = torch.ones(4, 3, dtype=torch.float64)  # rows indistinguishable
    assert float(loss.matching_entropy(same, same)) == pytest.approx(
        math.log(7))
    z = torch.eye(4, dtype=torch.float64)  # sure of every partner
    assert float(loss.matching_entropy(z, z)) < 0.01
    # sure of the wrong partner: NT-Xent is high, the entropy stays low
    assert float(loss(z, z.roll(1, 0))) > 5
    assert float(loss.matching_entropy(z, z.roll(1, 0))) < 0.01
    a = torch.randn(3, 4, requires_grad=True)
    b = torch.randn(3, 4, requires_grad=True)
    loss.matching_entropy(a, b).backward()
    assert a.grad.abs().sum() > 0 and b.grad.abs().sum() > 0
    assert torch.isfinite(a.grad).all()
