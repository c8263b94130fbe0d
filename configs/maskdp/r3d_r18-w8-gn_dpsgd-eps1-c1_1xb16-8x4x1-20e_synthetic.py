# DP-SGD at epsilon = 1: the paper's baseline, every pixel sensitive. Same
# model, data, sampling and schedule as the MaskDP config it inherits.
_base_ = ['./r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py']

model = dict(data_preprocessor=dict(mode='dpsgd'))
optim_wrapper = dict(max_grad_norm=1.0)
