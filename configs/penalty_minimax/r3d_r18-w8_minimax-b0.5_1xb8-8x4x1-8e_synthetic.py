# Penalty-driven minimax anonymization (Aslam & Nasrollahi, CVPR-W 2025) on
# the embedded synthetic benchmark, budget B = 0.5. The files next to this
# one change only B (0.3 / 0.7 / 0.9).
#
#   f_A: UNet++ frame anonymizer, sized for a CPU: a small conv encoder
#        (the paper's ResNet-18 encoder, encoder='resnet', is in the
#        UCF-101 / HMDB-51 configs) and residual=True, which starts f_A as
#        the identity map, in place of the paper's L1 identity pre-training
#        (anonymizer_pretrain_iters=0 here)
#   f_T: the small 3D ResNet-18 of the non-private synthetic baseline
#   f_B: MMAction2's 2D ResNet-18 + 128-d projection, NT-Xent (T = 0.1)
#   L_A = L_T - L_B + 1.0 * max(0, RMS(x - f_A(x)) - B), RMS in f_T's
#        normalised input units (std 64 grey levels: B = 0.5 ~ 32 levels)
#
#   python tools/train.py configs/penalty_minimax/<this file>
#   python tools/eval_privacy_leakage.py --dataset synthetic \
#       --data-root data/synthetic --anonymizer-checkpoint WORK_DIR/epoch_8.pth
_base_ = [
    '../_base_/models/r3d_r18_w8.py', '../_base_/datasets/synthetic.py',
    '../_base_/default_runtime.py'
]

budget = 0.5
model = dict(
    _delete_=True,
    type='PenaltyMinimaxRecognizer',
    utility=dict(
        type='Recognizer3D',
        backbone={{_base_.model.backbone}},
        cls_head=dict(
            type='I3DHead',
            num_classes={{_base_.num_classes}},
            in_channels=64,
            spatial_type='avg',
            dropout_ratio=0.3,
            average_clips='prob')),
    anonymizer=dict(
        type='UNetAnonymizer',
        encoder='conv',
        encoder_channels=(16, 16, 32, 64, 128),
        decoder='unet++',
        decoder_channels=(64, 32, 16, 16, 16),
        residual=True),
    privacy=dict(type='ContrastivePrivacyBranch', proj_dim=128),
    budget=budget,
    penalty_weight=1.0,
    utility_weight=1.0,
    privacy_weight=1.0,
    penalty_space='normalized',
    schedule='both',
    anonymizer_pretrain_iters=0,
    privacy_frames_per_clip=2,
    temperature=0.1,
    # f_T's normalisation (the synthetic baseline's).
    mean=(127.5, 127.5, 127.5),
    std=(64.0, 64.0, 64.0),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[0.0, 0.0, 0.0],
        std=[255.0, 255.0, 255.0],
        format_shape='NCTHW'))

# The paper's optimisers are Adam, lr 4e-5 for f_A and 1e-4 for f_T and f_B,
# over 80+ epochs from pre-trained branches. This CPU-sized run is ~500
# iterations from scratch, so every branch gets 1e-3.
optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    anonymizer=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3)),
    utility=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3)),
    privacy=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3)))

# 8-frame clips (every 4th frame): half the frames of the base pipeline.
file_client_args = dict(io_backend='disk')
train_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(type='SampleFrames', clip_len=8, frame_interval=4, num_clips=1),
    dict(type='DecordDecode'),
    dict(
        type='RandomResizedCrop',
        area_range=(0.7, 1.0),
        aspect_ratio_range=(0.85, 1.15)),
    dict(type='Resize', scale=({{_base_.input_size}}, {{_base_.input_size}}),
         keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=4,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=({{_base_.input_size}}, {{_base_.input_size}}),
         keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(batch_size=8, dataset=dict(pipeline=val_pipeline))

max_epochs = 8
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=3)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = []
# Several ranks (tools/dist_train.sh): the model's train_step steps three
# optimizers and averages each network's gradients over the ranks itself;
# MMEngine's default DDP wrapper can only drive forward(mode='loss').
model_wrapper_cfg = dict(type='TrainStepDataParallel')
default_hooks = dict(logger=dict(interval=10))
