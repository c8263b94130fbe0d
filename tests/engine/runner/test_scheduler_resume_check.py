"""Resuming with parameter schedulers that differ from the checkpoint's is
announced: added ones count from the resume, changed settings are the
checkpoint's, extra states are dropped."""
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper
from mmengine.optim.scheduler import CosineAnnealingLR, MultiStepLR

from mmprivact.engine.runner import TrustedCheckpointRunner
from mmprivact.engine.runner.scheduler_resume_check import (
    resumed_scheduler_warnings, scheduler_settings)


def _optim():
    return OptimWrapper(
        torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1))


def _configured(schedulers):
    items = schedulers.values() if isinstance(schedulers, dict) else [
        schedulers
    ]
    return {id(s): scheduler_settings(s) for group in items for s in group}


def _resume(built, saved, **kwargs):
    """What Runner.resume does: load each saved state by position."""
    configured = _configured(built)
    for scheduler, state in zip(built, saved):
        scheduler.load_state_dict(state)
    return resumed_scheduler_warnings(
        built, saved, configured, epoch=12, iteration=720, **kwargs)


def test_unchanged_schedulers_resume_silently():
    saved = [MultiStepLR(_optim(), milestones=[6], gamma=0.0).state_dict()]
    built = [MultiStepLR(_optim(), milestones=[6], gamma=0.0)]
    assert _resume(built, saved) == []


def test_added_scheduler_counts_from_the_resume():
    saved = [MultiStepLR(_optim(), milestones=[6], gamma=0.0).state_dict()]
    optim = _optim()
    built = [
        MultiStepLR(optim, milestones=[6], gamma=0.0),
        CosineAnnealingLR(optim, T_max=6, begin=0, end=6, by_epoch=True)
    ]
    messages = _resume(built, saved, checkpoint='epoch_12.pth')
    assert len(messages) == 1
    assert 'param_scheduler[1] (CosineAnnealingLR)' in messages[0]
    assert 'not in epoch_12.pth' in messages[0]
    assert 'epochs 13 to 18' in messages[0]


def test_added_iteration_scheduler_names_iterations():
    optim = _optim()
    built = {'utility': [CosineAnnealingLR(optim, T_max=60, begin=0,
                                           end=60, by_epoch=False)]}
    messages = _resume(built['utility'], [], checkpoint='x.pth')
    assert 'iterations 721 to 780' in messages[0]


def test_changed_settings_are_the_checkpoints():
    saved = [CosineAnnealingLR(_optim(), T_max=6, end=6).state_dict()]
    built = [CosineAnnealingLR(_optim(), T_max=8, end=8)]
    messages = _resume(built, saved)
    assert len(messages) == 1
    assert 'T_max=6 (config: 8)' in messages[0]
    assert 'end=6 (config: 8)' in messages[0]
    assert built[0].T_max == 6  # what MMEngine's resume really did


def test_array_settings_compare_without_error():
    import numpy as np
    built = [MultiStepLR(_optim(), milestones=[6])]
    configured = {id(built[0]): dict(scheduler_settings(built[0]),
                                     extra=np.array([1.0, 2.0]))}
    saved = [dict(built[0].state_dict(), extra=np.array([1.0, 3.0]))]
    messages = resumed_scheduler_warnings(
        built, saved, configured, epoch=1, iteration=10)
    assert len(messages) == 1 and 'extra=' in messages[0]


def test_other_scheduler_kind_at_a_position():
    saved = [MultiStepLR(_optim(), milestones=[6], gamma=0.0).state_dict()]
    built = [CosineAnnealingLR(_optim(), T_max=6, end=6)]
    messages = _resume(built, saved)
    assert 'another kind of scheduler' in messages[0]


def test_dropped_states_per_optimizer():
    optim = _optim()
    saved = {
        'utility': [
            MultiStepLR(optim, milestones=[6], gamma=0.0).state_dict(),
            CosineAnnealingLR(optim, T_max=6, end=6).state_dict()
        ],
        'privacy': [MultiStepLR(optim, milestones=[2]).state_dict()]
    }
    built = {'utility': [MultiStepLR(_optim(), milestones=[6], gamma=0.0)]}
    messages = resumed_scheduler_warnings(
        built, saved, _configured(built), epoch=12, iteration=720)
    assert any("param_scheduler['utility']" in m and 'last 1 are dropped'
               in m for m in messages)
    assert any("optimizer 'privacy'" in m for m in messages)


class _ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=out.pow(2).mean())
        return out


def _runner(work_dir, max_epochs, param_scheduler, resume=False):
    data = [dict(inputs=torch.ones(2))] * 4
    return TrustedCheckpointRunner(
        model=_ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=data,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate'),
            batch_size=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        param_scheduler=param_scheduler,
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=1)),
        resume=resume,
        load_from=str(work_dir / 'epoch_2.pth') if resume else None,
        default_scope='mmaction',
        experiment_name=f'toy_{max_epochs}_{resume}')


def _train_collecting_warnings(runner, monkeypatch):
    """Train ``runner`` and return the messages it logged as warnings."""
    warnings = []
    monkeypatch.setattr(runner.logger, 'warning', warnings.append)
    runner.train()
    return warnings


def test_runner_warns_when_a_resume_adds_a_scheduler(tmp_path, monkeypatch):
    _runner(tmp_path, 2, [dict(type='MultiStepLR', milestones=[1])]).train()
    runner = _runner(tmp_path, 4, [
        dict(type='MultiStepLR', milestones=[1]),
        dict(type='CosineAnnealingLR', T_max=2, begin=0, end=2)
    ], resume=True)
    warnings = _train_collecting_warnings(runner, monkeypatch)
    added = [w for w in warnings if 'CosineAnnealingLR' in w]
    assert len(added) == 1, warnings
    assert 'not in epoch_2.pth' in added[0]
    assert 'epochs 3 to 4' in added[0]


def test_runner_resumes_matching_schedulers_without_warning(
        tmp_path, monkeypatch):
    schedule = [dict(type='MultiStepLR', milestones=[1], end=5)]
    _runner(tmp_path, 2, schedule).train()
    runner = _runner(tmp_path, 3, schedule, resume=True)
    warnings = _train_collecting_warnings(runner, monkeypatch)
    assert not [w for w in warnings if 'param_scheduler' in w], warnings


def test_runner_warns_that_a_defaulted_end_stays_at_the_old_length(
        tmp_path, monkeypatch):
    """A scheduler without ``end`` ends at max_epochs; training resumed for
    longer keeps the checkpoint's end, so the scheduler stops early."""
    schedule = [dict(type='CosineAnnealingLR', T_max=2)]
    _runner(tmp_path, 2, schedule).train()
    runner = _runner(tmp_path, 4, schedule, resume=True)
    warnings = _train_collecting_warnings(runner, monkeypatch)
    ended = [w for w in warnings if 'param_scheduler[0]' in w]
    assert len(ended) == 1 and 'end=2 (config: 4)' in ended[0], warnings
