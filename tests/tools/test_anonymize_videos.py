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
