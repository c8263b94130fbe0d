# The paper's penalty-minimax model on an I3D ResNet-50 f_T (Aslam &
# Nasrollahi, CVPR-W 2025): UNet++ f_A on MMAction2's ResNet-18 encoder
# (random init, L1 identity pre-training), f_B = 2D ResNet-18 + 128-d
# projection (NT-Xent, T = 0.1), Adam at the paper's learning rates,
# 80 epochs, B = 0.5. Top-level configs add a dataset, the runtime and the
# number of classes (model.utility.cls_head.num_classes).
# To start f_T from Kinetics-400 weights, as the paper, set
# `--cfg-options model.utility_checkpoint=checkpoints/i3d_r50_kinetics400.pth`
# (not load_from, whose backbone.*/cls_head.* keys would not reach f_T).
_base_ = ['../models/i3d_r50.py']

budget = 0.5
model = dict(
    _delete_=True,
    type='PenaltyMinimaxRecognizer',
    utility=dict(
        type='Recognizer3D',
        backbone={{_base_.model.backbone}},
        cls_head=dict(
            type='I3DHead',
            num_classes=400,  # set per dataset in the top-level config
            in_channels=2048,
            spatial_type='avg',
            dropout_ratio=0.5,
            init_std=0.01,
            average_clips='prob')),
    anonymizer=dict(
        type='UNetAnonymizer',
        encoder='resnet',
        encoder_depth=18,
        decoder='unet++',
        decoder_channels=(256, 128, 64, 32, 16)),
    privacy=dict(type='ContrastivePrivacyBranch', proj_dim=128),
    budget=budget,
    penalty_weight=1.0,
    utility_weight=1.0,
    privacy_weight=1.0,
    penalty_space='normalized',
    schedule='both',
    anonymizer_pretrain_iters=2000,
    privacy_frames_per_clip=2,
    temperature=0.1,
    mean=(123.675, 116.28, 103.53),
    std=(58.395, 57.12, 57.375),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[0.0, 0.0, 0.0],
        std=[255.0, 255.0, 255.0],
        format_shape='NCTHW'))

# The paper's optimisers: Adam, lr 4e-5 for f_A, 1e-4 for f_T and f_B.
optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    anonymizer=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=4e-5)),
    utility=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4)),
    privacy=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4)))

max_epochs = 80
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = []
# Several ranks (tools/dist_train.sh): the model's train_step steps three
# optimizers and averages each network's gradients over the ranks itself;
# MMEngine's default DDP wrapper can only drive forward(mode='loss').
model_wrapper_cfg = dict(type='TrainStepDataParallel')
auto_scale_lr = dict(enable=False, base_batch_size=64)
