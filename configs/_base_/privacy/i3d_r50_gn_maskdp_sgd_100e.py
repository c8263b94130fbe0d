# I3D ResNet-50 with GroupNorm, trained with MaskDP at epsilon = 1 (delta =
# 1e-5, clip norm C = 1) on the SGD 100-epoch schedule: the model, optimizer
# and privacy part shared by the configs/maskdp/i3d_r50-gn_* configs, which
# add a *_privacy_mask dataset base, the runtime and the number of classes.
_base_ = ['../models/i3d_r50.py', '../schedules/sgd_100e.py']

# -- model: GroupNorm (BatchNorm mixes the videos of a batch) -------------
# zero_init_residual must stay False: it initialises `bn` layers only.
model = dict(
    backbone=dict(
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
        norm_eval=False,
        zero_init_residual=False),
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
