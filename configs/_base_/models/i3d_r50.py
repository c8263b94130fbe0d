# I3D with an inflated ResNet-50 backbone (Carreira & Zisserman, CVPR 2017;
# MMAction2's ResNet3d). Real-size model: ~28M parameters.
#
# Randomly initialised (`pretrained=None`): nothing is downloaded. To start
# from Kinetics-400 weights, download an MMAction2 I3D checkpoint yourself
# and point the config at the local file, e.g.
#   --cfg-options load_from=checkpoints/i3d_r50_kinetics400.pth
# The classification head is re-created for the dataset's classes, so the
# size mismatch of `cls_head.fc_cls` is expected and reported as a warning.
#
# BatchNorm is in train mode (`norm_eval=False`), which is fine for
# non-private training; DP training requires frozen statistics or GroupNorm.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        pretrained2d=False,
        pretrained=None,
        depth=50,
        conv1_kernel=(5, 7, 7),
        conv1_stride_t=2,
        pool1_stride_t=2,
        conv_cfg=dict(type='Conv3d'),
        norm_eval=False,
        inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)),
        zero_init_residual=False),
    cls_head=dict(
        type='I3DHead',
        num_classes=400,  # set per dataset in the top-level config
        in_channels=2048,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
