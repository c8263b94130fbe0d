"""tools/anonymize_videos.py end to end: the synthetic set with its ground
truth skeletons, and the default offline config on real footage."""
import json
import os.path as osp
import sys

import numpy as np
import pytest

from mmprivact.anonymization.video_io import (read_privacy_mask, read_video,
                                              write_video)

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', '..', 'tools'))
import anonymize_videos  # noqa: E402


def test_annotation_list_with_dataset_skeletons(
        tmp_path, tiny_synthetic, skeleton_anonymizer_config_file):
    config = skeleton_anonymizer_config_file
    lines = (tiny_synthetic / 'test.txt').read_text().splitlines()[:2]
    listing = tmp_path / 'test.txt'
    listing.write_text('\n'.join(lines) + '\n')
    out = tmp_path / 'anonymized'
    rc = anonymize_videos.main([str(listing), str(out), '--config',
                                str(config), '--video-root',
                                str(tiny_synthetic), '--no-progress'])
    assert rc == 0
    report = json.loads((out / 'report.json').read_text())
    assert report['counts'] == dict(ok=2, failed=0, pending=0)
    assert {'pose', 'fit', 'render', 'inpaint', 'composite'} <= set(
        report['stage_seconds_per_frame'])
    assert (out / 'test.txt').read_text().splitlines() == lines
    for line in lines:
        rel = line.split()[0]
        frames, _ = read_video(str(out / rel))
        src, _ = read_video(str(tiny_synthetic / rel))
        assert frames.shape == src.shape
        mask = read_privacy_mask(str(out / rel.replace(
            '.mp4', '.privacy_mask.npz')))
        assert mask.shape == src.shape[:3] and mask.any()


def _astronaut_clip(num_frames=6, size=(240, 320)):
    """A real person, panned across the frame: real footage for the
    default (MediaPipe) pipeline."""
    from skimage import data
    image = data.astronaut()  # 512 x 512 RGB, a real photo of a person
    h, w = size
    frames = [image[40:40 + h, 60 + 12 * t:60 + 12 * t + w]
              for t in range(num_frames)]
    return np.ascontiguousarray(np.stack(frames))


@pytest.mark.slow
def test_default_offline_config_on_real_footage(tmp_path):
    clip = _astronaut_clip()
    write_video(str(tmp_path / 'in' / 'astronaut.mp4'), clip, fps=10)
    out = tmp_path / 'out'
    rc = anonymize_videos.main([str(tmp_path / 'in'), str(out),
                                '--no-progress'])
    assert rc == 0
    report = json.loads((out / 'report.json').read_text())
    assert report['counts']['ok'] == 1
    frames, fps = read_video(str(out / 'astronaut.mp4'))
    assert frames.shape == clip.shape and fps == pytest.approx(10)
    mask = read_privacy_mask(str(out / 'astronaut.privacy_mask.npz'))
    assert mask.mean() > 0.02  # an avatar was put in every clip


def test_bad_config_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='configs/anonymization'):
        anonymize_videos.main([str(tmp_path), str(tmp_path / 'o'),
                               '--config', str(tmp_path / 'nope.py')])


def test_visualize_writes_strip_and_side_by_side(tmp_path, tiny_synthetic):
    import cv2
    import visualize_anonymization
    config = tmp_path / 'cfg.py'
    config.write_text(
        'anonymizer = dict(type="ObfuscationAnonymizer",\n'
        f'    segmenter=dict(type="MaskFileSegmenter", '
        f'root="{tiny_synthetic / "masks"}"),\n'
        '    obfuscator=dict(type="BlackoutObfuscator"))\n')
    video = tiny_synthetic / 'videos' / 'v00001.mp4'
    visualize_anonymization.main([str(video), '--config', str(config),
                                  '--out', str(tmp_path / 'vis'),
                                  '--frames', '3'])
    strip = cv2.imread(str(tmp_path / 'vis' / 'v00001_strip.png'))
    assert strip.shape == (18 + 3 * 64 + 2 * 4, 5 * 64 + 16, 3)
    frames, _ = read_video(str(tmp_path / 'vis' / 'v00001_side_by_side.mp4'))
    assert frames.shape == (16, 64, 5 * 64 + 16, 3)


LEARNED_CONFIG = osp.join(osp.dirname(__file__), '..', '..', 'configs',
                          'anonymization', 'learned_penalty-minimax.py')


def _f_a_checkpoint(path):
    """A penalty-minimax checkpoint with a tiny (untrained) f_A."""
    import torch
    from mmengine.config import Config

    from mmprivact.models.anonymizers import UNetAnonymizer
    f_a = dict(type='UNetAnonymizer', encoder='conv',
               encoder_channels=(8, 8, 8, 8, 8), decoder='unet',
               decoder_channels=(8, 8, 8, 8, 8))
    torch.manual_seed(2)
    model = UNetAnonymizer(**{k: v for k, v in f_a.items() if k != 'type'})
    cfg = Config(dict(model=dict(type='PenaltyMinimaxRecognizer',
                                 anonymizer=f_a)))
    torch.save(dict(state_dict={'anonymizer.' + k: v
                                for k, v in model.state_dict().items()},
                    meta=dict(cfg=cfg.pretty_text)), str(path))
    return str(path)


def test_learned_config_with_checkpoint_override(tmp_path):
    from mmprivact.anonymization import build_anonymizer
    checkpoint = _f_a_checkpoint(tmp_path / 'epoch_5.pth')
    rng = np.random.RandomState(0)
    clips = {'a': rng.randint(0, 256, (5, 32, 48, 3), dtype=np.uint8),
             'sub/b': rng.randint(0, 256, (3, 40, 24, 3), dtype=np.uint8)}
    for name, clip in clips.items():
        write_video(str(tmp_path / 'in' / f'{name}.mp4'), clip, fps=8)
    out = tmp_path / 'out'
    rc = anonymize_videos.main([
        str(tmp_path / 'in'), str(out), '--config', LEARNED_CONFIG,
        '--cfg-options', f'checkpoint={checkpoint}', 'batch_size=2',
        '--no-progress'])
    assert rc == 0
    report = json.loads((out / 'report.json').read_text())
    assert report['counts'] == dict(ok=2, failed=0, pending=0)
    assert report['frames'] == 8
    assert set(report['stage_seconds_per_frame']) == {'anonymize'}
    f_a = build_anonymizer(dict(type='LearnedAnonymizer',
                                checkpoint=checkpoint))
    for name in clips:
        assert report['videos'][name]['non_sensitive_fraction'] == 0.0
        src, _ = read_video(str(tmp_path / 'in' / f'{name}.mp4'))
        frames, fps = read_video(str(out / f'{name}.mp4'))
        assert frames.shape == src.shape and fps == pytest.approx(8)
        mask = read_privacy_mask(str(out / f'{name}.privacy_mask.npz'))
        assert mask.shape == src.shape[:3] and not mask.any()
        # f_A's output, up to the video codec's loss; far from the input.
        expected = f_a(src).frames.astype(float)
        assert np.abs(frames - expected).mean() < 4
        assert np.abs(frames - src.astype(float)).mean() > 30


def test_cfg_options_dotted_override(tmp_path):
    from mmprivact.anonymization.anonymizer_builder import (
        AnonymizerBuilder, apply_cfg_options)
    config = osp.join(osp.dirname(LEARNED_CONFIG),
                      'avatar_mediapipe-multipose_default-body.py')
    args = anonymize_videos.parse_args([
        'in', 'out', '--config', config, '--cfg-options',
        'pose.fov_deg=50', 'pose.smoothing.beta=1e-3', 'seed=3',
        'segmenter=from_pose', 'refiner=None', 'extra.depth=(1, 2)'])
    cfg = AnonymizerBuilder.from_file(args.config,
                                      cfg_options=args.cfg_options).cfg
    assert cfg['pose']['fov_deg'] == 50
    assert cfg['pose']['max_people'] == 4  # the rest of pose is kept
    assert cfg['pose']['smoothing'] == dict(type='OneEuro', min_cutoff=1.0,
                                            beta=1e-3)
    assert cfg['seed'] == 3 and cfg['segmenter'] == 'from_pose'
    assert cfg['refiner'] is None and cfg['extra'] == dict(depth=(1, 2))
    assert 'fov_deg' not in AnonymizerBuilder.from_file(config).cfg['pose']
    with pytest.raises(ValueError, match="'segmenter' is 'from_pose'"):
        apply_cfg_options(cfg, ['segmenter.type=X'])
    with pytest.raises(ValueError, match='KEY=VALUE'):
        apply_cfg_options(cfg, ['checkpoint'])
