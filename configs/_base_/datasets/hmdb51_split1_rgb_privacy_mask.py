# HMDB-51 split 1, avatar-anonymized, with privacy masks: the dataset of the
# MaskDP / DP-SGD / non-private I3D configs in configs/maskdp/ (same clips,
# crops and lists as hmdb51_split1_rgb.py).
#
# Layout (see docs/data_preparation.md#avatar-anonymized-datasets): the
# avatar anonymizer mirrors data/hmdb51/. Every anonymized video keeps the
# raw video's path and file name below videos/ (class sub-folders
# included); its privacy mask (written by the anonymizer) has the same path
# below masks/, with the extension replaced by .npz (key `mask`: bool
# T x H x W over all frames at the anonymized video's resolution; True =
# avatar / synthetic, non-sensitive; False = real pixels, sensitive):
#   data/hmdb51_anonymized/videos/brush_hair/April_09_..._goo_0.avi
#   data/hmdb51_anonymized/masks/brush_hair/April_09_..._goo_0.npz
#   data/hmdb51_anonymized/hmdb51_{train,val}_split_1_videos.txt  (raw lists)
#   data/hmdb51_anonymized/classes.txt
# The annotation lists are the raw set's, unchanged (copy or link them).
#
# LoadPrivacyMask derives each mask path from the video path by replacing its
# LAST folder named `videos` (the `video_prefix` below data_root) with `masks`;
# the class sub-folders are kept, and must not themselves be named `videos`.
# The mask is a 4th channel from LoadPrivacyMask (right after decoding) to
# SplitPrivacyMask (right after FormatShape), so every geometric transform in
# between moves it with the pixels; no colour transform may go in between. It
# reaches MaskDPDataPreprocessor as the `privacy_mask` meta field, and
# `filename` keys the public-texture fill of each video. Val/test load the
# masks too (for `mask_at_test=True`; the anonymized test set carries them
# anyway).
_base_ = ['./hmdb51_split1_rgb.py']

data_root = 'data/hmdb51_anonymized/'
data_doc = 'docs/data_preparation.md#avatar-anonymized-datasets'
video_prefix = 'videos'
load_mask = dict(
    type='LoadPrivacyMask', video_dir=video_prefix, mask_dir='masks')
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
