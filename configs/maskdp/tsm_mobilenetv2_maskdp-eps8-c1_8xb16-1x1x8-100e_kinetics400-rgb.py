# The recipe: MMAction2's own TSM-MobileNetV2 Kinetics-400 config, unchanged,
# turned into a MaskDP run by overriding five things. Nothing else differs.
#
#   python tools/train.py \
#       configs/maskdp/tsm_mobilenetv2_maskdp-eps8-c1_8xb16-1x1x8-100e_kinetics400-rgb.py
#
# Data: the anonymizer's output for Kinetics-400 (videos plus a masks/ folder
# of .npz sidecars beside the videos folder: .../videos_train/c/x.mp4 ->
# .../masks_train/c/x.npz; see LoadPrivacyMask). For DP-SGD instead, set
# mode='dpsgd' in step 1 and skip step 5 (no masks needed).
_base_ = [
    'mmaction::recognition/tsm/'
    'tsm_imagenet-pretrained-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py'
]
custom_imports = dict(imports=['mmprivact'], allow_failed_imports=False)
runner_type = 'TrustedCheckpointRunner'  # signed checkpoints, safe --resume

# 1. Data preprocessor: builds the masked view, one switch for the method.
#    (No download: start from a local ImageNet/Kinetics checkpoint with
#    load_from=... if you have one; public pretraining costs no privacy.)
model = dict(
    backbone=dict(pretrained=None, pretrained2d=False),
    data_preprocessor=dict(
        type='MaskDPDataPreprocessor', mode='maskdp',
        fill='public_texture'))

# 2. Sampler: Poisson batches (batch_size becomes the expected batch size).
train_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=False),
    batch_sampler=dict(type='PoissonBatchSampler'))

# 3. Optimizer wrapper, and 4. the BatchNorm choice: MobileNetV2's BatchNorm
#    becomes GroupNorm before the optimizer is built (single process; for
#    DDP set GroupNorm in model.backbone.norm_cfg instead). The model zoo's
#    clip_grad and TSM constructor are replaced: clipping is per video now.
optim_wrapper = dict(
    _delete_=True,
    type='MaskDPOptimWrapper',
    constructor='MaskDPOptimWrapperConstructor',
    convert_batchnorm=True,
    max_grad_norm=1.0,
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=2e-5))
custom_hooks = [
    dict(type='PrivacyAccountantHook', target_epsilon=8.0, delta=1e-6)
]

# 5. MaskDP only: carry the privacy mask through the (unchanged) pipeline.
meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp', 'filename',
             'privacy_mask')
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8),
    dict(type='DecordDecode'),
    dict(type='LoadPrivacyMask', video_dir='videos_train',
         mask_dir='masks_train'),
    dict(type='Resize', scale=(-1, 256)),
    dict(
        type='MultiScaleCrop',
        input_size=224,
        scales=(1, 0.875, 0.75, 0.66),
        random_crop=False,
        max_wh_scale_gap=1,
        num_fixed_crops=13),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='SplitPrivacyMask'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
train_dataloader.update(dataset=dict(pipeline=train_pipeline))
