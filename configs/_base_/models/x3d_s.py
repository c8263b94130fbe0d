# X3D-S (Feichtenhofer, CVPR 2020; MMAction2's X3D backbone). Real-size,
# light model: ~3.8M parameters. X3D-S and X3D-M share this network
# (gamma_w=1, gamma_b=2.25, gamma_d=2.2); "S" is the input: 13 frames,
# stride 6, 160 px crops (182 px at test), which the x3d_s_* configs set.
#
# Randomly initialised: nothing is downloaded. To start from Kinetics-400
# weights, convert/download an X3D-S checkpoint yourself and pass the local
# file with `--cfg-options load_from=checkpoints/x3d_s_kinetics400.pth`.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='X3D',
        gamma_w=1,
        gamma_b=2.25,
        gamma_d=2.2,
        pretrained=None),
    cls_head=dict(
        type='X3DHead',
        in_channels=432,
        num_classes=400,  # set per dataset in the top-level config
        spatial_type='avg',
        dropout_ratio=0.5,
        fc1_bias=False,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[114.75, 114.75, 114.75],
        std=[57.38, 57.38, 57.38],
        format_shape='NCTHW'),
    train_cfg=None,
    test_cfg=None)
