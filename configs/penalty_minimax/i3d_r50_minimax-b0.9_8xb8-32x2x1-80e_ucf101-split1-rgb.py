# Penalty-driven minimax on UCF-101 split 1 with budget B = 0.9;
# everything else as in the B = 0.5 config.
_base_ = ['./i3d_r50_minimax-b0.5_8xb8-32x2x1-80e_ucf101-split1-rgb.py']

model = dict(budget=0.9)
