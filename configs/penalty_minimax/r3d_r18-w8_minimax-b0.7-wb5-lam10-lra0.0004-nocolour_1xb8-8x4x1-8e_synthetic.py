# The w_B = 5, lambda = 10, f_A lr 4e-4, colour-free-views variant with
# budget B = 0.7; everything else as in the B = 0.5 file of this variant.
_base_ = ['./r3d_r18-w8_minimax-b0.5-wb5-lam10-lra0.0004-nocolour_1xb8-8x4x1-8e_synthetic.py']

model = dict(budget=0.7)
