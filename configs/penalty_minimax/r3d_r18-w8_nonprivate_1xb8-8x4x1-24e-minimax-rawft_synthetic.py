# Stage 1 of the pre-trained-f_T recipe: f_T trained 24 epochs on raw frames
# inside the minimax wrapper, which is the raw reference of the
# `*-16e-fafreeze6e-ftonly` config trained on to 24 epochs, measured in
# docs/penalty_minimax.md ("f_T pre-trained on raw frames before the game"):
#
#   optim_wrapper.anonymizer lr 0 and model.anonymizer_train_iters = 0:
#       f_A keeps its identity start (f_A(x) = x) and there is no game
#       (no step 1, no f_B update); each iteration only trains f_T on raw
#       frames, with the same clips, augmentation, normalisation and
#       optimiser as f_T in the game.
#
# Its epoch_24.pth is what stage 2,
# r3d_r18-w8_minimax-b0.9-wb15-lam10-lra0.0004-lrb0.0001-nocolour-person_1xb8-8x4x1-12e-fafreeze6e-ftonly-ftpre_synthetic.py,
# loads into f_T (model.utility_checkpoint); train it first with
#   python tools/train.py configs/penalty_minimax/r3d_r18-w8_nonprivate_1xb8-8x4x1-24e-minimax-rawft_synthetic.py
# (10-15 minutes on two CPU cores). Measured (as 16 epochs, resumed to 24)
# at 77-89 % top-1 over seeds 0-6.
_base_ = ['./r3d_r18-w8_minimax-b0.9-wb5-lam10-lra0.0004-lrb0.0001-nocolour-person_1xb8-8x4x1-16e-fafreeze6e-ftonly_synthetic.py']

model = dict(anonymizer_train_iters=0)
optim_wrapper = dict(anonymizer=dict(optimizer=dict(lr=0.0)))

max_epochs = 24
train_cfg = dict(max_epochs=max_epochs)
