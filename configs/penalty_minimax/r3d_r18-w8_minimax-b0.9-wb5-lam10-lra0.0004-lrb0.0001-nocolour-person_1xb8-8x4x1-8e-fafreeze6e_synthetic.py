# The person-only f_B variant (B = 0.9, w_B = 5, lambda = 10, f_A lr 4e-4,
# colour-free views, f_B shown only the person mask) with two schedule
# changes, measured in docs/penalty_minimax.md ("f_A frozen for the last two
# epochs"):
#
#   f_B's learning rate 1e-4 (the paper's) instead of 1e-3: in the runs
#       measured f_A reached the figure more often (identity hidden in 4
#       seeds of 6, against 2 of 4 at 1e-3);
#   f_A frozen after epoch 6 (its learning rate multiplied by 0): f_T then
#       trains for two epochs on a fixed f_A(x), where before it chased a
#       moving one to the end. f_T and f_B keep their rates.
#
# Measured over seeds 0-6: the target met in 4 of 7 against earlier
# sessions' raw references; against same-day, same-config raw references
# seeds 0 and 1 miss on action, and how much the freeze adds is open (see
# the doc). Not in the paper, which trains all three branches to the end;
# the masks would come from a person detector on real data.
_base_ = ['./r3d_r18-w8_minimax-b0.9-wb5-lam10-lra0.0004-nocolour-person_1xb8-8x4x1-8e_synthetic.py']

optim_wrapper = dict(privacy=dict(optimizer=dict(lr=1e-4)))

# One list of schedulers per optimiser (keys of the OptimWrapperDict);
# milestone 6 = from the 7th epoch on.
param_scheduler = dict(
    _delete_=True,
    anonymizer=[
        dict(type='MultiStepLR', milestones=[6], gamma=0.0, by_epoch=True)
    ],
    utility=[],
    privacy=[])
