"""AvatarAnonymize in an MMAction2 pipeline: keys, shapes, the mask channel
moving with the pixels, and a stable per-video avatar."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmaction.registry import TRANSFORMS


def _pipeline(steps):
    init_default_scope('mmaction')
    return [TRANSFORMS.build(s) for s in steps]


@pytest.fixture(scope='module')
def steps(skeleton_anonymizer_cfg):
    return [dict(type='DecordInit'),
            dict(type='SampleFrames', clip_len=16, frame_interval=1,
                 num_clips=1, test_mode=True),
            dict(type='DecordDecode'),
            dict(type='AvatarAnonymize',
                 anonymizer=skeleton_anonymizer_cfg)]


def _run(steps, filename, extra=()):
    results = dict(filename=str(filename), start_index=0, modality='RGB')
    for t in _pipeline(list(steps) + list(extra)):
        results = t(results)
    return results


def test_keys_shapes_and_channel(tiny_synthetic, steps):
    video = tiny_synthetic / 'videos' / 'v00000.mp4'
    out = _run(steps, video)
    mask = out['privacy_mask_raw']
    assert mask.dtype == np.bool_ and mask.shape == (16, 64, 64)
    assert mask.any() and not mask.all()
    assert all(img.shape == (64, 64, 4) for img in out['imgs'])
    channel = np.stack([img[..., 3] for img in out['imgs']])
    assert ((channel == 0) == mask).all()
    # Geometric transforms then SplitPrivacyMask keep them aligned.
    flipped = _run(steps, video, [dict(type='Flip', flip_ratio=1.0),
                                  dict(type='SplitPrivacyMask')])
    assert (flipped['privacy_mask'] == mask[:, :, ::-1]).all()
    assert flipped['imgs'][0].shape == (64, 64, 3)


def test_same_video_same_avatar(tiny_synthetic, steps):
    video = tiny_synthetic / 'videos' / 'v00000.mp4'
    a, b = _run(steps, video), _run(steps, video)
    assert all((x == y).all() for x, y in zip(a['imgs'], b['imgs']))


def test_bad_input_says_where_to_put_it():
    t = TRANSFORMS.build(dict(type='AvatarAnonymize'))
    with pytest.raises(ValueError, match='after'):
        t(dict(imgs=[np.zeros((4, 4), np.uint8)]))
    with pytest.raises(ValueError, match='type'):
        TRANSFORMS.build(dict(type='AvatarAnonymize', anonymizer='x'))
