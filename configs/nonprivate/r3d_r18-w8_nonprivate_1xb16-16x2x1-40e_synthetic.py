# Non-private baseline on the embedded synthetic benchmark: a small 3D
# ResNet-18 trained from scratch; the README's demo command runs this config.
_base_ = [
    '../_base_/models/r3d_r18_w8.py', '../_base_/datasets/synthetic.py',
    '../_base_/schedules/adamw_cosine_40e.py', '../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes={{_base_.num_classes}}))
default_hooks = dict(logger=dict(interval=10))
