# Runtime shared by every mmprivact config. Inherit it with
# `_base_ = ['../_base_/default_runtime.py', ...]`.
default_scope = 'mmaction'

# Registers every mmprivact component (and fixes MMAction2 1.2.0's import).
custom_imports = dict(imports=['mmprivact'], allow_failed_imports=False)

# Signs the checkpoints it writes, so `--resume` works under torch>=2.6
# without disabling torch.load's weights_only protection for other files.
runner_type = 'TrustedCheckpointRunner'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', interval=1, save_best='auto', max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
