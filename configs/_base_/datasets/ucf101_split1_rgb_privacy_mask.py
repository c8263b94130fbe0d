# UCF-101 split 1, avatar-anonymized, with privacy masks: the dataset of the
# MaskDP / DP-SGD / non-private I3D configs in configs/maskdp/ (same clips,
# crops and lists as ucf101_split1_rgb.py).
#
# Layout (see docs/data_preparation.md#avatar-anonymized-datasets): what
# tools/anonymize_videos.py writes when run on each of the raw set's lists
# (ucf101_{train,val}_split_1_videos.txt), e.g.
#   python tools/anonymize_videos.py data/ucf101/ucf101_train_split_1_videos.txt \
#       data/ucf101_anonymized/videos --video-root data/ucf101/videos \
#       --list-out data/ucf101_anonymized/ucf101_train_split_1_videos.txt
# Every anonymized video keeps its raw path below videos/, as .mp4, with its
# privacy mask next to it (key `non_sensitive`: bool T x H x W at the
# video's resolution; True = avatar / synthetic, non-sensitive; False = real
# pixels, sensitive):
#   data/ucf101_anonymized/videos/ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.mp4
#   data/ucf101_anonymized/videos/ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.privacy_mask.npz
#   data/ucf101_anonymized/ucf101_{train,val}_split_1_videos.txt
# The lists are the raw ones rewritten to the .mp4 names (videos that failed
# are left out and listed in report.json); copy classes.txt from data/ucf101/.
#
# LoadPrivacyMask(layout='sidecar') reads the mask next to each video.
# The mask is a 4th channel from LoadPrivacyMask (right after decoding) to
# SplitPrivacyMask (right after FormatShape), so every geometric transform in
# between moves it with the pixels; no colour transform may go in between. It
# reaches MaskDPDataPreprocessor as the `privacy_mask` meta field, and
# `filename` keys the public-texture fill of each video. Val/test load the
# masks too (for `mask_at_test=True`; the anonymized test set carries them
# anyway).
_base_ = ['./ucf101_split1_rgb.py']

data_root = 'data/ucf101_anonymized/'
data_doc = 'docs/data_preparation.md#avatar-anonymized-datasets'
video_prefix = 'videos'
load_mask = dict(type='LoadPrivacyMask', layout='sidecar')
meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp', 'filename',
             'privacy_mask')

file_client_args = dict(io_backend='disk')
train_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(type='SampleFrames', clip_len=32, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    load_mask,
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='SplitPrivacyMask'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
val_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(
        type='SampleFrames',
        clip_len=32,
        frame_interval=2,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    load_mask,
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='SplitPrivacyMask'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
test_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(
        type='SampleFrames',
        clip_len=32,
        frame_interval=2,
        num_clips=10,
        test_mode=True),
    dict(type='DecordDecode'),
    load_mask,
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='SplitPrivacyMask'),
    dict(type='PackActionInputs', meta_keys=meta_keys)
]

# Poisson sampling: batch_size is the *expected* batch size per GPU (every
# video joins a step independently with rate q = batch_size x GPUs / N).
# The sampler only hands the dataset to PoissonBatchSampler.
train_dataloader = dict(
    sampler=dict(type='DefaultSampler', shuffle=False),
    batch_sampler=dict(type='PoissonBatchSampler'),
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(video=video_prefix),
        data_doc=data_doc,
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(video=video_prefix),
        data_doc=data_doc,
        pipeline=val_pipeline))
test_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(video=video_prefix),
        data_doc=data_doc,
        pipeline=test_pipeline))
