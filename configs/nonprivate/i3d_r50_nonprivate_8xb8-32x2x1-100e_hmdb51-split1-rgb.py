# Non-private baseline: I3D ResNet-50, 32x2x1 clips, 8 GPUs x 8 clips,
# 100 epochs, on HMDB-51 split 1 (RGB).
#
# Train:
#   python tools/train.py \
#       configs/nonprivate/i3d_r50_nonprivate_8xb8-32x2x1-100e_hmdb51-split1-rgb.py
# Data:   docs/data_preparation.md (the dataset section named in data_doc).
# Starts from random weights. For Kinetics-400 initialisation, use a local
# checkpoint: --cfg-options load_from=/path/to/i3d_r50_kinetics400.pth
# (never a URL in a config; nothing here downloads anything).
_base_ = [
    '../_base_/models/i3d_r50.py',
    '../_base_/datasets/hmdb51_split1_rgb.py',
    '../_base_/schedules/sgd_100e.py',
    '../_base_/default_runtime.py',
]

model = dict(cls_head=dict(num_classes=51))

default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
