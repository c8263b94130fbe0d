# Penalty-driven minimax anonymization (Aslam & Nasrollahi, CVPR-W 2025) on
# HMDB-51 split 1, budget B = 0.5, with the paper's networks and optimisers;
# the files next to this one change only B (0.3 / 0.7 / 0.9).
#
#   f_A: UNet++ with MMAction2's ResNet-18 encoder (random init: nothing is
#        downloaded), pre-trained as an identity map (L1) for the first
#        anonymizer_pretrain_iters iterations
#   f_T: I3D ResNet-50 (../_base_/models/i3d_r50.py); for Kinetics-400
#        initialisation pass a local checkpoint of the whole minimax model,
#        or load f_T's weights into model.utility yourself
#   f_B: MMAction2's 2D ResNet-18 + 128-d projection, NT-Xent (T = 0.1)
#   L_A = L_T - L_B + 1.0 * max(0, RMS(x - f_A(x)) - B)
#
# Privacy is evaluated as in the paper, on VISPR (attacker trained on VISPR
# frames anonymized by the trained f_A; docs/penalty_minimax.md):
#   python tools/train.py configs/penalty_minimax/<this file>
#   python tools/eval_privacy_leakage.py --dataset vispr --data-root data/vispr \
#       --anonymizer-checkpoint WORK_DIR/epoch_80.pth --attacker resnet18
_base_ = [
    '../_base_/penalty_minimax/i3d_r50_unetpp-r18_minimax_80e.py',
    '../_base_/datasets/hmdb51_split1_rgb.py', '../_base_/default_runtime.py'
]

model = dict(
    budget=0.5,
    utility=dict(cls_head=dict(num_classes={{_base_.num_classes}})))
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
