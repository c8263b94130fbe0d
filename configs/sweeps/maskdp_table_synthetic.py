# The MaskDP table of docs/maskdp.md ("Results on the embedded benchmark"),
# budget-sized: non-private, DP-SGD and MaskDP on the synthetic benchmark at
# epsilon 1 and 8, one seed = 5 runs, each tested on the full test videos
# and on their masked view (the table's two top-1 columns).
#
#   python tools/analysis/privacy_sweep.py \
#       configs/sweeps/maskdp_table_synthetic.py \
#       --out work_dirs/sweeps/maskdp_table_synthetic
#
# Estimated, not timed as a whole: under an hour on an idle 2-core CPU
# (5 trainings of about 8 min each, docs/maskdp.md, plus 10 tests of about
# half a minute). Re-running the command resumes; --report-only rebuilds
# the report. Keys: see
# docs/privacy_reports.md#sweep-and-report.
data_root = 'data/synthetic'
seeds = [0]
epsilons = [1, 8]
methods = dict(
    nonprivate=dict(
        config='configs/maskdp/'
        'r3d_r18-w8-gn_nonprivate_1xb16-8x4x1-20e_synthetic.py',
        private=False,
        test_masked_view=True),
    dpsgd=dict(
        config='configs/maskdp/'
        'r3d_r18-w8-gn_dpsgd-eps1-c1_1xb16-8x4x1-20e_synthetic.py',
        test_masked_view=True),
    maskdp=dict(
        config='configs/maskdp/'
        'r3d_r18-w8-gn_maskdp-eps1-c0.1_1xb16-8x4x1-20e_synthetic.py',
        test_masked_view=True),
)
# Overrides for every run (dotted keys, as --cfg-options).
cfg_options = {}
# The non-private baseline of the per-class comparison.
reference = 'nonprivate'
example_videos = 4
