# MaskDP at epsilon = 1 (delta = 1e-5, clip norm C = 1): I3D ResNet-50 with
# GroupNorm, 32x2x1 clips, 8 GPUs x 8 clips, 100 epochs, on avatar-anonymized
# HMDB-51 split 1 (RGB). The 8 clips are the *expected* Poisson batch per GPU.
# MaskDP protects the real pixels the avatar anonymizer left (mostly the
# background); the avatar is public by definition.
#
# Train:
#   bash tools/dist_train.sh \
#       configs/maskdp/i3d_r50-gn_maskdp-eps1-c1_8xb8-32x2x1-100e_hmdb51-split1-rgb.py 8
# Data: docs/data_preparation.md#avatar-anonymized-datasets. The privacy masks
# (masks/*.npz, True = avatar, non-sensitive) come from the avatar anonymizer,
# which writes them next to the anonymized videos. delta must be < 1 / N for N
# training videos (3,570 here); the accountant calibrates sigma so that the
# planned steps spend exactly target_epsilon.
#
# One switch selects the method: model.data_preprocessor.mode = 'maskdp' (this
# file), 'dpsgd' or 'none'; the dpsgd and nonprivate configs next to this one
# inherit it and change only that switch.
_base_ = [
    '../_base_/privacy/i3d_r50_gn_maskdp_sgd_100e.py',
    '../_base_/datasets/hmdb51_split1_rgb_privacy_mask.py',
    '../_base_/default_runtime.py',
]

model = dict(cls_head=dict(num_classes=51))

default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
