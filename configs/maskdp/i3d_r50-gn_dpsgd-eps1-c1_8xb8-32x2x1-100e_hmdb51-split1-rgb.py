# DP-SGD at epsilon = 1 (delta = 1e-5, C = 1), the paper's baseline: every
# pixel sensitive. Same model (GroupNorm), avatar-anonymized HMDB-51 split 1
# data, Poisson batches (8 expected clips per GPU) and schedule as the MaskDP
# config it inherits.
#
# Train:
#   bash tools/dist_train.sh \
#       configs/maskdp/i3d_r50-gn_dpsgd-eps1-c1_8xb8-32x2x1-100e_hmdb51-split1-rgb.py 8
# Data: docs/data_preparation.md#avatar-anonymized-datasets (videos and privacy
# masks from the avatar anonymizer; DP-SGD loads but ignores the masks). delta
# must be < 1 / N for N training videos (3,570 here).
_base_ = ['./i3d_r50-gn_maskdp-eps1-c1_8xb8-32x2x1-100e_hmdb51-split1-rgb.py']

model = dict(data_preprocessor=dict(mode='dpsgd'))
