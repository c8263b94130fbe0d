# MaskDP at epsilon = 1 (delta = 1e-5, clip norm C = 1): I3D ResNet-50 with
# GroupNorm, 32x2x1 clips, 8 GPUs x 8 clips, 100 epochs, on avatar-anonymized
# UCF-101 split 1 (RGB). The 8 clips are the *expected* Poisson batch per GPU.
# MaskDP protects the real pixels the avatar anonymizer left (mostly the
# background); the avatar is public by definition.
#
# Train:
#   bash tools/dist_train.sh \
#       configs/maskdp/i3d_r50-gn_maskdp-eps1-c1_8xb8-32x2x1-100e_ucf101-split1-rgb.py 8
# Data: docs/data_preparation.md#avatar-anonymized-datasets. The privacy masks
# (masks/*.npz, True = avatar, non-sensitive) come from the avatar anonymizer,
# which writes them next to the anonymized videos. delta must be < 1 / N for N
# training videos (9,537 here); the accountant calibrates sigma so that the
# planned steps spend exactly target_epsilon.
#
# One switch selects the method: model.data_preprocessor.mode = 'maskdp' (this
# file), 'dpsgd' or 'none'; the dpsgd and nonprivate configs next to this one
# inherit it and change only that switch.
_base_ = [
    '../_base_/models/i3d_r50.py',
    '../_base_/datasets/ucf101_split1_rgb_privacy_mask.py',
    '../_base_/schedules/sgd_100e.py',
    '../_base_/default_runtime.py',
]

# -- model: GroupNorm (BatchNorm mixes the videos of a batch) -------------
# zero_init_residual must stay False: it initialises `bn` layers only.
model = dict(
    backbone=dict(
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
        norm_eval=False,
        zero_init_residual=False),
    cls_head=dict(num_classes=101),
    data_preprocessor=dict(
        type='MaskDPDataPreprocessor',
        mode='maskdp',
        fill='public_texture',
        fill_seed=0,
        mask_at_test=False))

# -- privacy ----------------------------------------------------------------
# The schedule's SGD is kept (lr 0.01 for 8 x 8 expected clips, momentum 0.9,
# weight decay 1e-4; 100 epochs, lr x 0.1 at 40 and 80). Its clip_grad is
# removed: MaskDPOptimWrapper clips each video's gradient itself.
target_epsilon = 1.0
delta = 1e-5
optim_wrapper = dict(
    type='MaskDPOptimWrapper', max_grad_norm=1.0, clip_grad=None)
custom_hooks = [
    dict(
        type='PrivacyAccountantHook',
        target_epsilon=target_epsilon,
        delta=delta,
        accountant='rdp')
]

default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
