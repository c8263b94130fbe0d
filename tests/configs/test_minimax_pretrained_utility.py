"""The pre-trained-f_T recipe: stage 1 trains f_T on raw frames, stage 2
(``-ftpre``) starts f_T from stage 1's last checkpoint with f_A and f_B
fresh."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs' / 'penalty_minimax'
STAGE1 = CONFIGS / 'r3d_r18-w8_nonprivate_1xb8-8x4x1-24e-minimax-rawft_synthetic.py'
STAGE2 = CONFIGS / ('r3d_r18-w8_minimax-b0.9-wb15-lam10-lra0.0004-lrb0.0001-'
                    'nocolour-person_1xb8-8x4x1-12e-fafreeze6e-ftonly-ftpre_'
                    'synthetic.py')


def _build(cfg: Config):
    import mmprivact  # noqa: F401  (registration)
    from mmaction.registry import MODELS
    return MODELS.build(cfg.model)


def test_stage2_points_at_stage1_last_checkpoint():
    stage1, stage2 = Config.fromfile(str(STAGE1)), Config.fromfile(str(STAGE2))
    # tools/train.py's default work dir is work_dirs/<config name>, and the
    # last checkpoint of a run is epoch_<max_epochs>.pth.
    assert stage2.model.utility_checkpoint == (
        f'work_dirs/{STAGE1.stem}/epoch_{stage1.train_cfg.max_epochs}.pth')
    # Stage 1 trains f_T alone on raw frames: no game, f_A kept still.
    assert stage1.model.anonymizer_train_iters == 0
    assert stage1.optim_wrapper.anonymizer.optimizer.lr == 0
    # Stage 2 is the game: f_A trains until iteration 360, then f_T alone.
    assert stage2.model.anonymizer_train_iters == 360
    assert stage2.optim_wrapper.anonymizer.optimizer.lr > 0
    assert stage2.model.get('utility_checkpoint') is not None
    assert stage1.model.get('utility_checkpoint') is None
    # Both stages build the same f_T, so every f_T tensor carries over.
    assert stage1.model.utility == stage2.model.utility


def test_stage2_loads_stage1_utility_only(tmp_path):
    stage1_model = _build(Config.fromfile(str(STAGE1)))
    with torch.no_grad():  # trained weights differ from any fresh ones
        for param in stage1_model.parameters():
            param.add_(torch.randn_like(param))
    checkpoint = tmp_path / 'epoch_24.pth'
    torch.save({'state_dict': stage1_model.state_dict()}, checkpoint)

    cfg = Config.fromfile(str(STAGE2))
    cfg.model.utility_checkpoint = str(checkpoint)
    stage2_model = _build(cfg)
    stage2_model.init_weights()

    trained = stage1_model.utility.state_dict()
    loaded = stage2_model.utility.state_dict()
    assert trained.keys() == loaded.keys()
    for key in trained:
        assert torch.equal(trained[key], loaded[key]), key
    # f_A keeps its identity start (a zero head), not stage 1's tensors.
    head = {k: v for k, v in stage2_model.anonymizer.state_dict().items()
            if k.startswith('head.')}
    assert head and all(not v.any() for v in head.values())


def test_stage2_without_stage1_says_which_run_is_missing(tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default path is relative
    model = _build(Config.fromfile(str(STAGE2)))
    with pytest.raises(FileNotFoundError, match=STAGE1.stem):
        model.init_weights()
