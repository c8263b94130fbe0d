"""The README's recipe: an unmodified MMAction2 model-zoo config becomes a
MaskDP run by overriding five things; it builds and takes private steps."""
import json
from pathlib import Path

import pytest
from mmengine.config import Config

from mmprivact.engine.runner import build_runner

REPO = Path(__file__).resolve().parents[2]
RECIPE = (REPO / 'configs' / 'maskdp' /
          'tsm_mobilenetv2_maskdp-eps8-c1_8xb16-1x1x8-100e_kinetics400-rgb.py')


def test_recipe_inherits_the_model_zoo_config_unmodified():
    text = RECIPE.read_text()
    assert "'mmaction::recognition/tsm/'" in text
    cfg = Config.fromfile(str(RECIPE))
    # What the model zoo defines and the recipe does not touch survives.
    assert cfg.model.backbone.type == 'MobileNetV2TSM'
    assert cfg.param_scheduler[0].type == 'MultiStepLR'
    assert cfg.optim_wrapper.type == 'MaskDPOptimWrapper'
    assert 'clip_grad' not in cfg.optim_wrapper
    assert cfg.train_dataloader.batch_sampler.type == 'PoissonBatchSampler'


@pytest.mark.slow
def test_recipe_trains_private_steps(tiny_synthetic, tmp_path):
    cfg = Config.fromfile(str(RECIPE))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.launcher = 'none'
    pipeline = cfg.train_dataloader.dataset.pipeline
    for step in pipeline:  # small frames for a CPU test; same transforms
        if step.type == 'LoadPrivacyMask':
            step.update(video_dir='videos', mask_dir='masks')
        elif step.type == 'Resize' and step.scale == (-1, 256):
            step.scale = (-1, 72)
        elif step.type == 'MultiScaleCrop':
            step.input_size = 64
        elif step.type == 'Resize':
            step.scale = (64, 64)
    cfg.train_dataloader.update(
        batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.batch_sampler.steps_per_epoch = 2
    cfg.train_dataloader.dataset.update(
        ann_file=str(tiny_synthetic / 'train.txt'),
        data_prefix=dict(video=str(tiny_synthetic)))
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1)
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator',
                'test_dataloader', 'test_cfg', 'test_evaluator'):
        cfg[key] = None
    cfg.model.cls_head.num_classes = 8
    runner = build_runner(cfg)
    runner.train()
    report = json.loads((tmp_path / 'work' / 'privacy.json').read_text())
    assert report['mode'] == 'maskdp' and report['steps'] == 2
    assert 0 < report['epsilon'] <= 8.0
    assert report['sample_rate'] == pytest.approx(2 / 16)
    assert not any('BatchNorm' in type(m).__name__
                   for m in runner.model.modules())
