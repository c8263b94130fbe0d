"""Example frames on the tiny synthetic set: the masked view is the
preprocessor's (figure kept, background = the public fill), f_A is the
checkpoint's."""
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config

from mmprivact.evaluation.sweep import ExampleFrames
from mmprivact.models.data_preprocessors.public_fill import \
    make_public_texture
from .fakes import CONFIGS, REPO


def _method(name, config, data_root, **extra):
    cfg = Config.fromfile(str(REPO / config))
    pre = cfg.model.get('data_preprocessor', {})
    mode = pre.get('mode') if pre.get(
        'type') == 'MaskDPDataPreprocessor' else None
    return dict(name=name, config=str(REPO / config), data_root=data_root,
                kind=extra.pop('kind', 'recognizer'), mode=mode,
                cfg_options={}, skip_reason=None, **extra)


def _minimax_checkpoint(path):
    """A penalty-minimax checkpoint whose f_A is clearly not the identity:
    the training config in meta, f_A's weights under 'anonymizer.'."""
    from mmaction.registry import MODELS
    cfg = Config.fromfile(str(REPO / CONFIGS['minimax']))
    f_a = MODELS.build(cfg.model.anonymizer)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for param in f_a.parameters():
            param.add_(0.3 * torch.randn(param.shape, generator=generator))
    state = {f'anonymizer.{k}': v for k, v in f_a.state_dict().items()}
    torch.save(dict(state_dict=state, meta=dict(cfg=cfg.pretty_text)), path)
    return str(path)


def test_example_frames_grid(tiny_synthetic, tmp_path):
    root = str(tiny_synthetic)
    # Another data root holding the same videos (as an anonymized copy
    # keeps the raw paths): its column is matched by path.
    copy = tmp_path / 'copy'
    copy.mkdir()
    for name in ('videos', 'masks', 'train.txt', 'val.txt', 'test.txt'):
        (copy / name).symlink_to(tiny_synthetic / name)
    classes = (tiny_synthetic / 'classes.txt').read_text().split()
    checkpoint = _minimax_checkpoint(tmp_path / 'minimax.pth')
    methods = [
        _method('nonprivate', CONFIGS['nonprivate'], root),
        _method('maskdp', CONFIGS['maskdp'], root),
        _method('minimax', CONFIGS['minimax'], root, kind='minimax'),
        _method('minimax_b9', CONFIGS['minimax'], root, kind='minimax'),
        _method('copy', CONFIGS['nonprivate'], str(copy)),
        dict(_method('avatar', CONFIGS['maskdp'], root + '_missing'),
             skip_reason='data root not found'),
    ]
    frames = ExampleFrames(methods, root, num_videos=3,
                           checkpoints=dict(minimax=checkpoint),
                           class_names=classes)
    out = tmp_path / 'examples.png'
    rows, columns = frames.save(str(out))
    assert out.stat().st_size > 0
    assert [title for title, _ in columns] == [
        'raw', 'maskdp: masked view', 'minimax: f_A(x)', 'copy: input']
    # Same videos through the other data root: the same frames.
    np.testing.assert_array_equal(np.stack(columns[3][1]),
                                  np.stack(columns[0][1]))
    # Three videos of three different classes, named in the row labels.
    assert len(rows) == 3
    assert len({r.split('(')[1] for r in rows}) == 3
    assert all(r.split('(')[1].rstrip(')') in classes for r in rows)
    assert frames.notes == ['minimax_b9: no finished run, so no f_A to show.']

    raw = np.stack(columns[0][1]).astype(int)
    masked = np.stack(columns[1][1]).astype(int)
    assert raw.shape == masked.shape == (3, 64, 64, 3)
    for i, label in enumerate(rows):
        filename = osp.join(root, 'videos', label.split()[0] + '.mp4')
        texture = make_public_texture(0, f'filename:{filename}', 64,
                                      64).astype(int)
        is_raw = np.abs(masked[i] - raw[i]).max(-1) <= 1
        is_fill = np.abs(masked[i] - texture).max(-1) <= 1
        # Every pixel is either the video's own (figure) or the public fill
        # of this video (sensitive background), and both occur.
        assert (is_raw | is_fill).all()
        assert (is_fill & ~is_raw).mean() > 0.3
        assert (is_raw & ~is_fill).mean() > 0.01

    # f_A's column is the checkpoint's f_A on the raw frames.
    from mmprivact.models.anonymizers import load_trained_anonymizer
    f_a = load_trained_anonymizer(checkpoint)
    with torch.no_grad():
        expected = f_a(torch.from_numpy(raw).permute(0, 3, 1, 2).float() /
                       255).permute(0, 2, 3, 1).numpy() * 255
    learned = np.stack(columns[2][1]).astype(int)
    assert np.abs(learned - expected).max() <= 1
    assert np.abs(learned - raw).mean() > 5  # not the raw frames
