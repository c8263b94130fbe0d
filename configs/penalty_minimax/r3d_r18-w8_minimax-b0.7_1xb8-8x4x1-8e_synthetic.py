# Penalty-driven minimax on the synthetic benchmark with budget B = 0.7;
# everything else as in the B = 0.5 config.
_base_ = ['./r3d_r18-w8_minimax-b0.5_1xb8-8x4x1-8e_synthetic.py']

model = dict(budget=0.7)
