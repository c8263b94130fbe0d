# Penalty-driven minimax on HMDB-51 split 1 with budget B = 0.3;
# everything else as in the B = 0.5 config.
_base_ = ['./i3d_r50_minimax-b0.5_8xb8-32x2x1-80e_hmdb51-split1-rgb.py']

model = dict(budget=0.3)
