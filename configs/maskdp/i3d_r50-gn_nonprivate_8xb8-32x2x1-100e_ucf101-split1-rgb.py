# Non-private reference for the MaskDP / DP-SGD configs next to it: same model
# (GroupNorm), avatar-anonymized UCF-101 split 1 data, Poisson batches (8
# expected clips per GPU) and schedule; ordinary gradients, no noise, no
# epsilon.
#
# Train:
#   bash tools/dist_train.sh \
#       configs/maskdp/i3d_r50-gn_nonprivate_8xb8-32x2x1-100e_ucf101-split1-rgb.py 8
# Data: docs/data_preparation.md#avatar-anonymized-datasets (videos and privacy
# masks from the avatar anonymizer; mode 'none' loads but ignores the masks).
# The epsilon / delta settings inherited from the MaskDP config are unused
# here.
_base_ = ['./i3d_r50-gn_maskdp-eps1-c1_8xb8-32x2x1-100e_ucf101-split1-rgb.py']

model = dict(data_preprocessor=dict(mode='none'))
