# The person-only f_B variant with f_B at learning rate 1e-4 and f_A frozen
# after epoch 6, with budget B = 0.3; everything else as in the B = 0.9 file
# of this variant. The four files are the B sweep measured in
# docs/penalty_minimax.md ("A B sweep of the frozen-f_A setting").
_base_ = ['./r3d_r18-w8_minimax-b0.9-wb5-lam10-lra0.0004-lrb0.0001-nocolour-person_1xb8-8x4x1-8e-fafreeze6e_synthetic.py']

model = dict(budget=0.3)
