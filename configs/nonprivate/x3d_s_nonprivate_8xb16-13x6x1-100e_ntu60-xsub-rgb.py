# Non-private baseline: X3D-S, 13x6x1 clips at 160 px (182 px at test),
# 8 GPUs x 16 clips, 100 epochs, on NTU RGB+D 60 cross-subject (RGB).
# A light alternative to the I3D ResNet-50 baseline (~3.8M vs ~28M params).
#
# Train:
#   python tools/train.py \
#       configs/nonprivate/x3d_s_nonprivate_8xb16-13x6x1-100e_ntu60-xsub-rgb.py
# Starts from random weights. For Kinetics-400 initialisation, use a local
# checkpoint: --cfg-options load_from=/path/to/x3d_s_kinetics400.pth
_base_ = [
    '../_base_/models/x3d_s.py',
    '../_base_/datasets/ntu60_xsub_rgb.py',
    '../_base_/schedules/sgd_100e.py',
    '../_base_/default_runtime.py',
]

model = dict(cls_head=dict(num_classes=60))

# X3D-S input: the dataset file's 32x2x1 / 224 px pipelines are replaced.
train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(type='SampleFrames', clip_len=13, frame_interval=6, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 182)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(160, 160), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=13,
        frame_interval=6,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 182)),
    dict(type='CenterCrop', crop_size=160),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=13,
        frame_interval=6,
        num_clips=10,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 182)),
    dict(type='ThreeCrop', crop_size=182),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=16, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

# Linear scaling of the schedule's lr 0.01 @ 64 clips to 128 clips.
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(base_batch_size=128)

default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
