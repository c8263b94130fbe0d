# The full privacy-utility picture on the synthetic benchmark: non-private,
# DP-SGD and MaskDP at epsilon 0.5, 1, 2 and 8 over 3 seeds, the
# penalty-minimax anonymizer (B = 0.5, no DP) and, where its data exists,
# MaskDP on an avatar-anonymized copy of the set.
#
#   python tools/analysis/privacy_sweep.py \
#       configs/sweeps/privacy_utility_synthetic.py \
#       --out work_dirs/sweeps/privacy_utility_synthetic
#
# 3 + 2 x 4 x 3 + 3 = 30 runs without the avatar method (+ 12 with it);
# a MaskDP / DP-SGD run trains for about 8 minutes on an idle 2-core CPU
# (docs/maskdp.md), so plan for several hours. Resumable: re-run the
# command; --report-only rebuilds the report from what has finished.
#
# avatar_maskdp reads data/synthetic_avatar, an avatar-anonymized copy, e.g.
#   for split in train val test; do
#     python tools/anonymize_videos.py data/synthetic/$split.txt \
#         data/synthetic_avatar --video-root data/synthetic \
#         --list-out data/synthetic_avatar/$split.txt
#   done; cp data/synthetic/classes.txt data/synthetic_avatar/
# (see docs/data_preparation.md#avatar-anonymized-datasets), which writes
# each video's privacy mask next to it (.privacy_mask.npz, hence
# layout='sidecar' below). Without that folder the method is skipped, with
# the reason in the report.
data_root = 'data/synthetic'
seeds = [0, 1, 2]
epsilons = [0.5, 1, 2, 8]
_maskdp = ('configs/maskdp/'
           'r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py')
methods = dict(
    nonprivate=dict(
        config='configs/maskdp/'
        'r3d_r18-w8-gn_nonprivate_1xb16-8x4x1-20e_synthetic.py',
        private=False),
    dpsgd=dict(
        config='configs/maskdp/'
        'r3d_r18-w8-gn_dpsgd-eps1-c1_1xb16-8x4x1-20e_synthetic.py'),
    maskdp=dict(config=_maskdp, test_masked_view=True),
    minimax=dict(
        config='configs/penalty_minimax/'
        'r3d_r18-w8_minimax-b0.5_1xb8-8x4x1-8e_synthetic.py',
        kind='minimax',
        private=False),
    avatar_maskdp=dict(
        config=_maskdp,
        data_root='data/synthetic_avatar',
        optional=True,
        test_masked_view=True,
        # LoadPrivacyMask is the 4th transform of each pipeline
        # (configs/_base_/datasets/synthetic_privacy_mask.py).
        cfg_options={
            'train_dataloader.dataset.pipeline.3.layout': 'sidecar',
            'val_dataloader.dataset.pipeline.3.layout': 'sidecar',
            'test_dataloader.dataset.pipeline.3.layout': 'sidecar',
        }),
)
cfg_options = {}
reference = 'nonprivate'
example_videos = 4
