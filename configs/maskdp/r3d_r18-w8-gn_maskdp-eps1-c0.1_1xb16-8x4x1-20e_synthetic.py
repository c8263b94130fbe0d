# MaskDP at epsilon = 1 (delta = 1e-5) on the embedded synthetic benchmark:
# the small 3D ResNet-18 with GroupNorm, trained from scratch. The figure is
# non-sensitive (as if it were an avatar), the background sensitive.
#
# One switch selects the method: model.data_preprocessor.mode = 'maskdp'
# (this file), 'dpsgd' or 'none'; the dpsgd and nonprivate configs next to
# this one inherit it and change only that switch and the tuned lr / clip.
_base_ = [
    '../_base_/models/r3d_r18_w8.py',
    '../_base_/datasets/synthetic_privacy_mask.py',
    '../_base_/default_runtime.py'
]

# -- model: GroupNorm (BatchNorm mixes the videos of a batch) -------------
model = dict(
    backbone=dict(norm_cfg=dict(type='GN', num_groups=4, requires_grad=True)),
    cls_head=dict(num_classes={{_base_.num_classes}}),
    data_preprocessor=dict(
        type='MaskDPDataPreprocessor',
        mode='maskdp',
        fill='public_texture',
        fill_seed=0,
        mask_at_test=False))

# -- privacy ----------------------------------------------------------------
target_epsilon = 1.0
delta = 1e-5
optim_wrapper = dict(
    type='MaskDPOptimWrapper',
    max_grad_norm=0.1,
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.0))
custom_hooks = [
    dict(
        type='PrivacyAccountantHook',
        target_epsilon=target_epsilon,
        delta=delta,
        accountant='rdp')
]

# -- schedule: 20 epochs of round(1 / q) = 30 Poisson batches each ---------
max_epochs = 20
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5,
         by_epoch=True, begin=0, end=max_epochs, convert_to_iter_based=True)
]
auto_scale_lr = dict(enable=False, base_batch_size=16)

default_hooks = dict(logger=dict(interval=10))
