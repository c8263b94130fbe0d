"""The ``-fafreeze6e`` penalty-minimax config: f_A's learning rate drops to
zero from the 7th epoch while f_T and f_B keep theirs."""
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

REPO = Path(__file__).resolve().parents[2]
CONFIG = (REPO / 'configs' / 'penalty_minimax' /
          'r3d_r18-w8_minimax-b0.9-wb5-lam10-lra0.0004-lrb0.0001-nocolour-'
          'person_1xb8-8x4x1-8e-fafreeze6e_synthetic.py')


def test_anonymizer_frozen_after_epoch_six_only(tmp_path, tiny_synthetic):
    import mmprivact  # noqa: F401  (registration)
    cfg = Config.fromfile(str(CONFIG))
    cfg.work_dir = str(tmp_path)
    # Epoch-based schedulers read the epoch length from the train loader.
    cfg.train_dataloader.update(num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.data_root = str(tiny_synthetic)
    runner = Runner.from_cfg(cfg)
    optim = runner.build_optim_wrapper(cfg.optim_wrapper)
    runner.optim_wrapper = optim
    schedulers = runner.build_param_scheduler(cfg.param_scheduler)
    assert set(schedulers) == {'anonymizer', 'utility', 'privacy'}
    lrs = []
    for _ in range(cfg.max_epochs):
        lrs.append({k: optim[k].get_lr()['lr'][0] for k in schedulers})
        for per_optimizer in schedulers.values():
            for scheduler in per_optimizer:
                scheduler.step()  # by epoch, as ParamSchedulerHook does
    assert [lr['anonymizer'] for lr in lrs] == [4e-4] * 6 + [0.0] * 2
    assert all(lr['utility'] == 1e-3 for lr in lrs)
    assert all(lr['privacy'] == 1e-4 for lr in lrs)
