# Toyota Smarthome (trimmed), cross-subject protocol (CS), RGB mp4 videos,
# 31 classes.
#
# CS subjects (Das et al., ICCV 2019; the authors' released generator):
# train p03 p04 p06 p07 p09 p12 p13 p15 p17 p19 p25, test p02 p10 p11 p14
# p16 p18 p20. By default the val list is the test list; the authors' RGB
# baseline instead validates on p19 and p25 (held out of training), which
# `build_annotations.py --official-val` reproduces.
#
# Layout (see docs/data_preparation.md#toyota-smarthome):
#   data/toyota_smarthome/videos/Cook.Cut_p03_r00_v02_c03.mp4   (flat)
#   data/toyota_smarthome/toyota_smarthome_xsub_{train,val,test}_videos.txt
#   data/toyota_smarthome/classes.txt
# Build the lists with
#   python tools/data/toyota_smarthome/build_annotations.py
# Paths are relative to `data_root`. Classes are strongly imbalanced; the
# usual headline metric is mean per-class accuracy, which AccMetric reports
# as `mean1`.
dataset_type = 'CheckedVideoDataset'
data_root = 'data/toyota_smarthome/'
data_doc = 'docs/data_preparation.md#toyota-smarthome'
num_classes = 31
video_prefix = 'videos'
ann_file_train = 'toyota_smarthome_xsub_train_videos.txt'
ann_file_val = 'toyota_smarthome_xsub_val_videos.txt'
ann_file_test = 'toyota_smarthome_xsub_test_videos.txt'

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
