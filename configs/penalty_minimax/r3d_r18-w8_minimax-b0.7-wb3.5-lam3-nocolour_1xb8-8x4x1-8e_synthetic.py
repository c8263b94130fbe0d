# The colour-free-views, w_B = 3.5, lambda = 3 variant with budget B = 0.7;
# everything else as in the B = 0.5 file of this variant.
_base_ = ['./r3d_r18-w8_minimax-b0.5-wb3.5-lam3-nocolour_1xb8-8x4x1-8e_synthetic.py']

model = dict(budget=0.7)
