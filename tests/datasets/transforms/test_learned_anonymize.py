"""LearnedAnonymize: loads a trained f_A lazily, keeps the frames' container,
shapes and dtype, equals f_A run directly, and refuses mask channels."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmaction.registry import TRANSFORMS
from mmprivact.anonymization.video_io import write_video
from mmprivact.models.anonymizers import (UNetAnonymizer,
                                          load_trained_anonymizer)

F_A = dict(type='UNetAnonymizer', encoder='conv',
           encoder_channels=(8, 8, 8, 8, 8), decoder='unet',
           decoder_channels=(8, 8, 8, 8, 8))


def _save_checkpoint(path, with_cfg=True):
    """A penalty-minimax checkpoint holding a (randomly initialised) f_A."""
    torch.manual_seed(0)
    kwargs = {k: v for k, v in F_A.items() if k != 'type'}
    model = UNetAnonymizer(**kwargs)
    ckpt = dict(state_dict={'anonymizer.' + k: v
                            for k, v in model.state_dict().items()})
    if with_cfg:
        cfg = Config(dict(model=dict(type='PenaltyMinimaxRecognizer',
                                     anonymizer=F_A)))
        ckpt['meta'] = dict(cfg=cfg.pretty_text)
    torch.save(ckpt, str(path))
    return str(path)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    return _save_checkpoint(tmp_path_factory.mktemp('f_a') / 'epoch_1.pth')


@pytest.fixture(scope='module')
def frames():
    """(T, H, W, 3) uint8; H, W not multiples of 32 (f_A pads and crops)."""
    return np.random.RandomState(0).randint(0, 256, (5, 40, 56, 3),
                                            dtype=np.uint8)


def _f_a_directly(checkpoint, frames, anonymizer=None):
    """Independent reference: f_A on [0, 1] RGB, rounded back to uint8."""
    model = load_trained_anonymizer(checkpoint, anonymizer)
    x = torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad():
        y = model(x)
    return (y * 255).round().clamp(0, 255).byte().permute(0, 2, 3,
                                                          1).numpy()


def _build(**kwargs):
    init_default_scope('mmaction')
    return TRANSFORMS.build(dict(type='LearnedAnonymize', **kwargs))


def test_list_imgs_keep_container_shapes_and_equal_f_a(checkpoint, frames):
    t = _build(checkpoint=checkpoint)
    assert t._anonymizer is None  # building the pipeline loads nothing
    out = t(dict(imgs=list(frames)))['imgs']
    assert isinstance(out, list) and len(out) == len(frames)
    assert all(img.shape == (40, 56, 3) and img.dtype == np.uint8
               for img in out)
    expected = _f_a_directly(checkpoint, frames)
    np.testing.assert_array_equal(np.stack(out), expected)
    assert np.abs(np.stack(out).astype(int) - frames).mean() > 20


def test_array_imgs_and_batching(checkpoint, frames):
    whole = _build(checkpoint=checkpoint)(dict(imgs=frames.copy()))['imgs']
    assert isinstance(whole, np.ndarray)
    assert whole.shape == frames.shape and whole.dtype == np.uint8
    batched = _build(checkpoint=checkpoint, batch_size=2)(
        dict(imgs=frames.copy()))['imgs']
    # Per-frame results do not depend on the batch (eval-mode norm layers);
    # allow one grey level for float rounding in different conv batches.
    assert np.abs(batched.astype(int) - whole).max() <= 1


def test_explicit_config_and_frames_of_different_sizes(tmp_path, frames):
    bare = _save_checkpoint(tmp_path / 'no_cfg.pth', with_cfg=False)
    t = _build(checkpoint=bare, anonymizer=F_A)
    imgs = [frames[0], frames[1, :32, :48]]
    out = t(dict(imgs=imgs))['imgs']
    assert [o.shape for o in out] == [(40, 56, 3), (32, 48, 3)]
    np.testing.assert_array_equal(out[1],
                                  _f_a_directly(bare, imgs[1][None], F_A)[0])


def test_in_an_mmaction_pipeline(tmp_path, checkpoint, frames):
    video = tmp_path / 'clip.mp4'
    write_video(str(video), np.concatenate([frames, frames]), fps=10)
    steps = [dict(type='DecordInit'),
             dict(type='SampleFrames', clip_len=4, frame_interval=1,
                  num_clips=1, test_mode=True),
             dict(type='DecordDecode'),
             dict(type='LearnedAnonymize', checkpoint=checkpoint),
             dict(type='Resize', scale=(28, 20), keep_ratio=False)]
    init_default_scope('mmaction')
    results = dict(filename=str(video), start_index=0, modality='RGB')
    seen = {}
    for step in steps:
        results = TRANSFORMS.build(step)(results)
        if 'imgs' in results:
            seen[step['type']] = np.stack(results['imgs'])
    assert seen['DecordDecode'].shape == (4, 40, 56, 3)
    np.testing.assert_array_equal(
        seen['LearnedAnonymize'],
        _f_a_directly(checkpoint, seen['DecordDecode']))
    assert len(results['imgs']) == 4
    assert results['imgs'][0].shape == (20, 28, 3)
    assert results['imgs'][0].dtype == np.uint8


def test_missing_checkpoint_names_file_and_training(tmp_path):
    missing = str(tmp_path / 'epoch_9.pth')
    with pytest.raises(FileNotFoundError, match='epoch_9.pth') as err:
        _build(checkpoint=missing)
    assert 'tools/train.py' in str(err.value)


def test_bad_arguments(checkpoint):
    with pytest.raises(ValueError, match='batch_size'):
        _build(checkpoint=checkpoint, batch_size=0)
    with pytest.raises(ValueError, match='type'):
        _build(checkpoint=checkpoint, anonymizer=dict(encoder='conv'))


def test_mask_channel_and_float_frames_are_refused(checkpoint, frames):
    t = _build(checkpoint=checkpoint)
    # What LoadPrivacyMask / AvatarAnonymize leave: float32 RGB + mask.
    with_mask = [np.dstack([f.astype(np.float32),
                            np.full(f.shape[:2], 255, np.float32)])
                 for f in frames]
    with pytest.raises(ValueError, match='privacy-mask'):
        t(dict(imgs=with_mask))
    with pytest.raises(TypeError, match='uint8'):
        t(dict(imgs=[f.astype(np.float32) for f in frames]))
    with pytest.raises(ValueError, match='after the decode'):
        t(dict(imgs=[frames[0, :, :, 0]]))
    assert t._anonymizer is None  # refused before loading f_A


def test_pickled_transform_loads_its_own_copy(checkpoint, frames):
    t = _build(checkpoint=checkpoint)
    first = t(dict(imgs=list(frames)))['imgs']
    assert t._anonymizer is not None
    clone = pickle.loads(pickle.dumps(t))
    assert clone._anonymizer is None
    again = clone(dict(imgs=list(frames)))['imgs']
    np.testing.assert_array_equal(np.stack(again), np.stack(first))


def test_repr(checkpoint):
    text = repr(_build(checkpoint=checkpoint, batch_size=4))
    assert text == (f'LearnedAnonymize(checkpoint={checkpoint!r}, '
                    "anonymizer=None, device='cpu', batch_size=4)")
