"""The budget penalty: zero gradient below B, a real one above."""
import pytest
import torch

from mmprivact.models.losses import BudgetPenalty


def test_gradient_zero_below_and_nonzero_above_budget():
    x = torch.zeros(2, 3, 4, 4)
    small = torch.full_like(x, 0.1, requires_grad=True)  # RMS 0.1
    loss, rms, active = BudgetPenalty(budget=0.2)(x, small)
    loss.backward()
    assert float(loss) == 0 and float(active) == 0
    assert small.grad.abs().max() == 0
    assert torch.allclose(rms, torch.full((2, ), 0.1))
    big = torch.full_like(x, 0.5, requires_grad=True)  # RMS 0.5
    loss, rms, active = BudgetPenalty(budget=0.2)(x, big)
    loss.backward()
    assert float(loss) == pytest.approx(0.3) and float(active) == 1
    # d/d out of mean_i (RMS_i - B): (out - x) / (RMS * numel) / N items
    expected = 0.5 / (0.5 * 48) / 2
    assert torch.allclose(big.grad, torch.full_like(big, expected))


def test_hinge_is_per_item():
    x = torch.zeros(2, 10)
    out = torch.cat([torch.full((1, 10), 0.1), torch.full((1, 10), 0.9)])
    loss, rms, active = BudgetPenalty(budget=0.5)(x, out)
    # only the second item is over budget: (0.9 - 0.5) / 2 items
    assert float(loss) == pytest.approx(0.2)
    assert float(active) == pytest.approx(0.5)


def test_bad_input():
    with pytest.raises(ValueError, match='budget'):
        BudgetPenalty(-1)
    with pytest.raises(ValueError, match='shape'):
        BudgetPenalty(1)(torch.zeros(2, 3), torch.zeros(2, 4))
