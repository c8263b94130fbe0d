"""TrainStepDataParallel and average_gradients on two CPU ranks (gloo):
gradients are averaged, replicas start and stay equal although each rank
draws its own initial weights and sees its own batches."""
import json

import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
import torch.nn as nn

from mmprivact.models import TrainStepDataParallel, average_gradients


def _replicas_equal(module: nn.Module) -> bool:
    flat = torch.cat([p.detach().reshape(-1) for p in module.parameters()])
    gathered = [torch.empty_like(flat) for _ in range(2)]
    torch_dist.all_gather(gathered, flat)
    return torch.equal(gathered[0], gathered[1])


def _worker(rank: int, port: int, sync: bool, out: str) -> None:
    torch_dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:'
                                  f'{port}', rank=rank, world_size=2)
    try:
        from mmengine.optim import build_optim_wrapper
        from mmengine.registry import init_default_scope

        import mmprivact.models.recognizers.penalty_minimax_recognizer \
            as recognizer
        from tests.models.recognizers.test_penalty_minimax_recognizer \
            import OPTIM, batch, model_cfg
        init_default_scope('mmaction')
        result = {}

        grads = [nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2))]
        grads[0].grad = torch.full((3, ), float(rank + 1))
        grads[1].grad = torch.full((2, ), 10.0 * (rank + 1))
        average_gradients(grads)
        result['averaged'] = [g.grad.tolist() for g in grads]

        if not sync:  # the control: each rank keeps its own gradients
            recognizer.average_gradients = lambda params: None
        from mmaction.registry import MODELS
        torch.manual_seed(rank)  # different draws on purpose
        model = MODELS.build(model_cfg(schedule='both'))
        model.init_weights()
        wrapped = TrainStepDataParallel(model)
        result['equal_at_start'] = _replicas_equal(model)
        wrappers = build_optim_wrapper(model, dict(OPTIM))
        for i in range(2):  # each rank its own batches
            wrapped.train_step(batch(seed=10 * rank + i), wrappers)
        result['equal_after_training'] = _replicas_equal(model)
        if rank == 0:
            with open(out, 'w') as f:
                json.dump(result, f)
    finally:
        torch_dist.destroy_process_group()


def _run(tmp_path, port, sync):
    out = tmp_path / f'result_{sync}.json'
    mp.spawn(_worker, args=(port, sync, str(out)), nprocs=2, join=True)
    return json.loads(out.read_text())


@pytest.mark.slow
def test_two_ranks_average_gradients_and_stay_equal(tmp_path, free_port):
    result = _run(tmp_path, free_port, sync=True)
    assert result['averaged'] == [[1.5] * 3, [15.0] * 2]
    assert result['equal_at_start']  # rank 0's draw, broadcast
    assert result['equal_after_training']


@pytest.mark.slow
def test_without_averaging_the_replicas_drift(tmp_path, free_port):
    """The control: the same run with averaging switched off ends with
    different replicas, so the check above can fail."""
    result = _run(tmp_path, free_port, sync=False)
    assert result['equal_at_start']
    assert not result['equal_after_training']


def test_refuses_a_model_that_does_not_average_its_gradients():
    with pytest.raises(TypeError, match='MMDistributedDataParallel'):
        TrainStepDataParallel(nn.Linear(2, 2))


def test_single_process_delegates_and_does_not_average():
    class Model(nn.Module):
        averages_gradients_across_ranks = True

        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 2)

        def train_step(self, data, optim_wrapper):
            return ('train', data, optim_wrapper)

        def val_step(self, data):
            return ('val', data)

        def test_step(self, data):
            return ('test', data)

        def forward(self, x):
            return self.linear(x)

    model = Model()
    wrapped = TrainStepDataParallel(model)
    assert wrapped.train_step(1, 2) == ('train', 1, 2)
    assert wrapped.val_step(3) == ('val', 3)
    assert wrapped.test_step(4) == ('test', 4)
    x = torch.ones(1, 2)
    assert torch.equal(wrapped(x), model(x))
    param = nn.Parameter(torch.zeros(2))
    param.grad = torch.tensor([1.0, 2.0])
    average_gradients([param])
    assert param.grad.tolist() == [1.0, 2.0]


def test_registered_where_the_runner_looks_it_up():
    from mmengine.model import is_model_wrapper
    from mmengine.registry import MODEL_WRAPPERS
    assert MODEL_WRAPPERS.get('TrainStepDataParallel') is \
        TrainStepDataParallel
    model = TrainStepDataParallel(
        type('M', (nn.Module, ), {'averages_gradients_across_ranks': True})())
    assert is_model_wrapper(model)
