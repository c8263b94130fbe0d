"""branch_state_dict picks one network's tensors by prefix."""
import torch

from mmprivact.models.state_dicts import branch_state_dict


def test_keeps_only_the_prefix_and_strips_it():
    a, b = torch.zeros(1), torch.ones(2)
    state = {'utility.backbone.w': a, 'anonymizer.head.w': b,
             'utility_mean': b}
    assert branch_state_dict(state, 'utility.') == {'backbone.w': a}
    assert branch_state_dict(state, 'privacy.') == {}
