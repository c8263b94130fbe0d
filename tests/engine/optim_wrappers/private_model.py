"""A tiny MMAction2 recognizer with a MaskDP preprocessor, and its batches.

Shared by the optimizer-wrapper and hook tests: a real ``Recognizer3D``
(ResNet3d with GroupNorm, I3DHead, mean cross-entropy over data samples), so
the tests cover MMAction2's own loss reduction and flattening.
"""
import torch
from mmengine.optim import build_optim_wrapper

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

SHAPE = (3, 4, 12, 12)  # C, T, H, W
NUM_CLASSES = 3


def build_model(mode='maskdp', norm='GN', seed=0):
    torch.manual_seed(seed)
    norm_cfg = (dict(type='GN', num_groups=2, requires_grad=True)
                if norm == 'GN' else dict(type='BN3d', requires_grad=True))
    model = MODELS.build(dict(
        type='Recognizer3D',
        backbone=dict(type='ResNet3d', depth=18, pretrained=None,
                      pretrained2d=False, base_channels=2,
                      num_stages=2, out_indices=(1, ),
                      spatial_strides=(1, 2), temporal_strides=(1, 1),
                      dilations=(1, 1), inflate=(1, 1),
                      conv1_kernel=(1, 3, 3), conv1_stride_t=1,
                      pool1_stride_t=1, norm_cfg=norm_cfg,
                      zero_init_residual=False),
        cls_head=dict(type='I3DHead', num_classes=NUM_CLASSES,
                      in_channels=4, dropout_ratio=0.0,
                      average_clips='prob'),
        data_preprocessor=dict(type='MaskDPDataPreprocessor', mode=mode,
                               mean=[0.0] * 3, std=[1.0] * 3,
                               format_shape='NCTHW')))
    model.init_weights()
    model.train()
    return model


def build_tsn(mode='maskdp', seed=0):
    """A 2D recognizer: the frames of a video are rows of the backbone."""
    torch.manual_seed(seed)
    model = MODELS.build(dict(
        type='Recognizer2D',
        backbone=dict(
            type='ResNet', depth=18, pretrained=None,
            torchvision_pretrain=False, num_stages=1, out_indices=(0, ),
            strides=(1, ), dilations=(1, ),
            norm_cfg=dict(type='GN', num_groups=2, requires_grad=True)),
        cls_head=dict(type='TSNHead', num_classes=NUM_CLASSES,
                      in_channels=64, dropout_ratio=0.0,
                      consensus=dict(type='AvgConsensus', dim=1),
                      average_clips='prob'),
        data_preprocessor=dict(type='MaskDPDataPreprocessor', mode=mode,
                               mean=[0.0] * 3, std=[1.0] * 3,
                               format_shape='NCHW')))
    model.init_weights()
    model.train()
    return model


def build_wrapper(model, *, max_grad_norm=1.0, lr=1.0, **kwargs):
    return build_optim_wrapper(model, dict(
        type='MaskDPOptimWrapper', max_grad_norm=max_grad_norm,
        optimizer=dict(type='SGD', lr=lr), **kwargs))


def make_batch(videos, labels, masks, num_clips=1):
    """Collated batch as a dataloader would give it.

    Args:
        videos (Tensor): (B, num_clips, C, T, H, W).
        labels (list[int]): Labels.
        masks (Tensor): (B, num_clips, T, H, W) bool, True = non-sensitive.
    """
    samples = []
    for i, label in enumerate(labels):
        s = ActionDataSample()
        s.set_gt_label(torch.tensor(label))
        s.set_metainfo(dict(privacy_mask=masks[i], filename=f'v{i}.mp4'))
        samples.append(s)
    return dict(inputs=[v for v in videos], data_samples=samples)


def random_batch(num_videos, seed, num_clips=1):
    g = torch.Generator().manual_seed(seed)
    videos = torch.randn((num_videos, num_clips) + SHAPE, generator=g)
    masks = torch.rand((num_videos, num_clips) + SHAPE[1:], generator=g) > .5
    labels = torch.randint(0, NUM_CLASSES, (num_videos, ), generator=g)
    return videos, labels.tolist(), masks


def private_direction(model, wrapper, batch):
    """One forward/backward through MMEngine's train_step machinery, and
    the wrapper's update direction (without stepping)."""
    with wrapper.optim_context(model):
        data = model.data_preprocessor(batch, True)
        losses = model._run_forward(data, mode='loss')
    loss, _ = model.parse_losses(losses)
    wrapper.backward(loss)  # as update_params does (the fast path's work)
    direction = wrapper.private_direction()
    wrapper.zero_grad()
    return direction
