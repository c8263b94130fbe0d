# Penalty-driven minimax on the embedded synthetic benchmark, budget B = 0.5:
# the steadier of the two variants in docs/penalty_minimax.md ("Measured").
# The paper's w_B = 1, lambda = 1 and SimCLR colour views keep action
# accuracy here but barely reduce identity leakage; the w_B = 3.5 /
# lambda = 3 variant reduces it but loses action accuracy in two seeds of
# three. This one departs from the B = 0.5 synthetic config in four ways:
#
#   views without colour jitter or grayscale: f_B is then not trained to be
#       colour-invariant, so fooling it makes f_A remove colour, which is
#       what identity is made of in this set;
#   privacy_weight (w_B) = 5: the privacy term weighted up;
#   penalty_weight (lambda) = 10: holds RMS(x - f_A(x)) at or under B
#       against the stronger privacy pull (no B overshot in the runs);
#   f_A's learning rate 4e-4 against 1e-3 for f_T and f_B (the paper's ratio
#       is 4e-5 : 1e-4): f_T and f_B keep up with a slower f_A, which is
#       then less apt to outrun f_T and strip the action cues.
#
# Measured: RMS rises with B (seed 0); at B = 0.9 action top-1 stays within
# 7 points of raw over three seeds and identity leakage falls 24-31 points.
# The files next to this one change only B (0.3 / 0.7 / 0.9).
_base_ = ['./r3d_r18-w8_minimax-b0.5_1xb8-8x4x1-8e_synthetic.py']

model = dict(
    privacy_weight=5.0,
    penalty_weight=10.0,
    views=dict(jitter=0.0, grayscale_prob=0.0))
optim_wrapper = dict(anonymizer=dict(optimizer=dict(lr=4e-4)))
