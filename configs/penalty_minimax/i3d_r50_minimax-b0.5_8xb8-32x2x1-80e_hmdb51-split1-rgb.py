# Penalty-driven minimax anonymization (Aslam & Nasrollahi, CVPR-W 2025) on
# HMDB-51 split 1, budget B = 0.5, with the paper's networks and optimisers;
# the files next to this one change only B (0.3 / 0.7 / 0.9).
#
#   f_A: UNet++ with MMAction2's ResNet-18 encoder (random init: nothing is
#        downloaded), pre-trained as an identity map (L1) for the first
#        anonymizer_pretrain_iters iterations
#   f_T: I3D ResNet-50 (../_base_/models/i3d_r50.py); for Kinetics-400
#        initialisation pass a local checkpoint of the whole minimax model,
#        or load f_T's weights into model.utility yourself
#   f_B: MMAction2's 2D ResNet-18 + 128-d projection, NT-Xent (T = 0.1)
#   L_A = L_T - L_B + 1.0 * max(0, RMS(x - f_A(x)) - B)
#
# Privacy is evaluated as in the paper, on VISPR (attacker trained on VISPR
# frames anonymized by the trained f_A; docs/penalty_minimax.md):
#   python tools/train.py configs/penalty_minimax/<this file>
#   python tools/eval_privacy_leakage.py --dataset vispr --data-root data/vispr \
#       --anonymizer-checkpoint WORK_DIR/epoch_80.pth --attacker resnet18
_base_ = [
    '../_base_/models/i3d_r50.py', '../_base_/datasets/hmdb51_split1_rgb.py',
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
auto_scale_lr = dict(enable=False, base_batch_size=64)
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
