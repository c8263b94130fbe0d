# The embedded synthetic benchmark with its privacy masks, for MaskDP, DP-SGD
# and their non-private reference (see configs/maskdp/).
#
# The person masks (data/synthetic/masks/*.npz, True on the figure) serve as
# privacy masks: the figure is non-sensitive, as if it were an avatar, and
# the background (the room: who filmed where) is sensitive. Masks travel with
# the frames through every geometric transform (LoadPrivacyMask as a 4th
# channel, SplitPrivacyMask after FormatShape) and reach the data
# preprocessor as the `privacy_mask` meta field; `filename` keys the
# public-texture fill of each video. Clips of 8 frames (every 4th) keep
# per-sample gradients affordable on a CPU.
_base_ = ['./synthetic.py']

input_size = 64
meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp', 'filename',
             'privacy_mask')
file_client_args = dict(io_backend='disk')
train_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(type='SampleFrames', clip_len=8, frame_interval=4, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='LoadPrivacyMask'),
    dict(
        type='RandomResizedCrop',
        area_range=(0.7, 1.0),
        aspect_ratio_range=(0.85, 1.15)),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='SplitPrivacyMask'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
val_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=4,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='LoadPrivacyMask'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='SplitPrivacyMask'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
test_pipeline = val_pipeline

# Poisson sampling: batch_size is the *expected* batch size (q = 16 / 480).
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    batch_sampler=dict(type='PoissonBatchSampler'),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
