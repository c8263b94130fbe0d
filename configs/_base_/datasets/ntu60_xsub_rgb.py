# NTU RGB+D 60, cross-subject benchmark (xsub), RGB videos, 60 classes.
#
# Training subjects (official, Shahroudy et al. CVPR 2016; identical to
# MMAction2's tools/data/skeleton/gen_ntu_rgbd_raw.py): P001 P002 P004 P005
# P008 P009 P013 P014 P015 P016 P017 P018 P019 P025 P027 P028 P031 P034 P035
# P038; every other subject (20 of 40) is test. There is no official
# validation set, so val == test.
#
# Layout (see docs/data_preparation.md#ntu-rgbd-60):
#   data/ntu60/videos/S001C001P001R001A001_rgb.avi      (flat, as released)
#   data/ntu60/ntu60_xsub_train_videos.txt             "S..._rgb.avi 0"
#   data/ntu60/ntu60_xsub_val_videos.txt
#   data/ntu60/classes.txt
# Build the lists with `python tools/data/ntu60/build_annotations.py`.
# The released videos are 1920x1080; resizing them once to a short side of
# 256 (see the doc) makes decoding several times faster and changes nothing
# below. Paths are relative to `data_root`.
dataset_type = 'CheckedVideoDataset'
data_root = 'data/ntu60/'
data_doc = 'docs/data_preparation.md#ntu-rgbd-60'
num_classes = 60
video_prefix = 'videos'
ann_file_train = 'ntu60_xsub_train_videos.txt'
ann_file_val = 'ntu60_xsub_val_videos.txt'
ann_file_test = 'ntu60_xsub_val_videos.txt'

file_client_args = dict(io_backend='disk')
train_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(type='SampleFrames', clip_len=32, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(
        type='MultiScaleCrop',
        input_size=224,
        scales=(1, 0.875, 0.75, 0.66),
        random_crop=False,
        max_wh_scale_gap=1),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
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
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
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
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file_train,
        data_prefix=dict(video=video_prefix),
        data_doc=data_doc,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file_val,
        data_prefix=dict(video=video_prefix),
        data_doc=data_doc,
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file_test,
        data_prefix=dict(video=video_prefix),
        data_doc=data_doc,
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
