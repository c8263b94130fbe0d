# A trained frame anonymizer f_A (penalty-minimax training, Aslam &
# Nasrollahi 2025) applied to every frame: no pose, no segmentation.
#
#   python tools/anonymize_videos.py INPUT OUT_DIR \
#       --config configs/anonymization/learned_penalty-minimax.py \
#       --cfg-options checkpoint=work_dirs/<config>/epoch_N.pth
#
# checkpoint: a checkpoint of `tools/train.py configs/penalty_minimax/
#       <config>.py` (f_A's weights are under `anonymizer.`); the path below
#       is a placeholder, so point it at yours with --cfg-options (or edit
#       it). f_A's architecture is read from the training config saved in
#       the checkpoint; set `anonymizer=dict(type='UNetAnonymizer', ...)` for
#       a checkpoint without one.
# device / batch_size: where f_A runs and how many frames per forward pass
#       (e.g. --cfg-options device=cuda batch_size=64).
# The privacy mask is all False: every output pixel is computed from real
# pixels, so nothing is non-sensitive in the MaskDP sense.
anonymizer = dict(
    type='LearnedAnonymizer',
    checkpoint='work_dirs/penalty_minimax/<config>/epoch_N.pth',
    anonymizer=None,
    device='cpu',
    batch_size=32)
