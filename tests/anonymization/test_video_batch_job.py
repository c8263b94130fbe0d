"""The dataset tool's machinery: outputs mirror the inputs, resume, skip
corrupt videos and report, shards, workers."""
import json
import os

import numpy as np
import pytest

from mmprivact.anonymization.anonymized_video import AnonymizedVideo
from mmprivact.anonymization.video_batch_job import VideoBatchJob
from mmprivact.anonymization.video_io import (read_privacy_mask, read_video,
                                              write_video)


class InvertLeftHalf:
    """A stand-in anonymizer: inverts the left half and marks it synthetic.
    Counts its calls in a file so tests can see what was (re)done."""

    def __init__(self, log):
        self.log = log

    def __call__(self, frames, fps, source=None, seed=None):
        with open(self.log, 'a') as f:
            f.write(f'{frames.shape}\n')
        out = frames.copy()
        mask = np.zeros(frames.shape[:3], bool)
        mask[:, :, :frames.shape[2] // 2] = True
        out[mask] = 255 - out[mask]
        return AnonymizedVideo(out, mask, dict(invert=0.001))


class Builder:
    """Picklable factory, as workers need."""

    def __init__(self, log):
        self.log = log

    def __call__(self):
        return InvertLeftHalf(self.log)


def _frames(t, h, w, seed):
    rng = np.random.default_rng(seed)
    base = rng.integers(40, 200, (1, h // 8 + 1, w // 8 + 1, 3))
    big = np.kron(base, np.ones((1, 8, 8, 1)))[:, :h, :w]
    return np.repeat(big, t, 0).astype(np.uint8)


@pytest.fixture
def dataset(tmp_path):
    root = tmp_path / 'raw'
    specs = {'a/v1.avi': (6, 32, 48), 'a/v2.mp4': (5, 32, 32),
             'b/v3.mp4': (4, 31, 45)}  # odd size on purpose
    for i, (rel, (t, h, w)) in enumerate(specs.items()):
        write_video(str(root / rel), _frames(t, h, w, i), fps=12.5)
    (root / 'b' / 'broken.mp4').write_bytes(b'not a video at all')
    (root / 'train.txt').write_text(
        'a/v1.avi 0\na/v2.mp4 1\nb/v3.mp4 2\nb/broken.mp4 1\n')
    return root, specs


def _calls(log):
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_list_input_mirrors_outputs_reports_and_rewrites(tmp_path, dataset):
    root, specs = dataset
    out, log = tmp_path / 'out', tmp_path / 'calls.txt'
    report = VideoBatchJob(str(root / 'train.txt'), str(out), Builder(log),
                           progress=False).run()
    assert report['counts'] == dict(ok=3, failed=1, pending=0)
    assert report['complete']
    assert 'unreadable video' in report['failed']['b/broken']
    for rel, (t, h, w) in specs.items():
        stem = os.path.splitext(rel)[0]
        frames, fps = read_video(str(out / (stem + '.mp4')))
        assert frames.shape == (t, h, w, 3) and fps == pytest.approx(12.5)
        mask = read_privacy_mask(str(out / (stem + '.privacy_mask.npz')))
        assert mask.shape == (t, h, w) and mask[:, :, :w // 2].all()
        assert not mask[:, :, w // 2:].any()
        # the left half was inverted, the right half survived the codec
        src, _ = read_video(str(root / rel))
        right = np.abs(frames[:, :, w // 2 + 2:].astype(int) -
                       src[:, :, w // 2 + 2:]).mean()
        left = np.abs(frames[:, :, :w // 2 - 2].astype(int) -
                      (255 - src[:, :, :w // 2 - 2])).mean()
        assert right < 3 and left < 3
        video = report['videos'][stem]
        assert video['frames'] == t and video['fps'] > 0
        assert video['stage_seconds'] == {'invert': 0.001}
    assert (out / 'train.txt').read_text() == \
        'a/v1.mp4 0\na/v2.mp4 1\nb/v3.mp4 2\n'
    VideoBatchJob(str(root / 'train.txt'), str(out), Builder(log),
                  progress=False, list_out=str(tmp_path / 'l' / 'x.txt')
                  ).write_report()
    assert (tmp_path / 'l' / 'x.txt').read_text() == \
        (out / 'train.txt').read_text()
    assert report['annotation_list']['left_out'] == 1
    assert json.loads((out / 'report.json').read_text())['counts'] == \
        report['counts']
    assert not list(out.rglob('*.tmp'))


def test_rerun_skips_finished_and_redoes_incomplete(tmp_path, dataset):
    root, _ = dataset
    out, log = tmp_path / 'out', tmp_path / 'calls.txt'
    job = VideoBatchJob(str(root), str(out), Builder(log), progress=False)
    job.run()
    assert _calls(log) == 3  # the broken file is tried, never decoded
    job.run()
    assert _calls(log) == 3  # nothing redone
    os.remove(out / 'a' / 'v2.privacy_mask.npz')  # as if killed mid-video
    report = job.run()
    assert _calls(log) == 4 and report['counts']['ok'] == 3


def test_shards_split_the_inputs_and_report_pending(tmp_path, dataset):
    root, _ = dataset
    out, log = tmp_path / 'out', tmp_path / 'calls.txt'
    jobs = [VideoBatchJob(str(root), str(out), Builder(log), num_shards=2,
                          shard_id=i, progress=False) for i in range(2)]
    names = [{t.relative for t in j.shard_tasks()} for j in jobs]
    assert not names[0] & names[1]
    assert names[0] | names[1] == {'a/v1', 'a/v2', 'b/v3', 'b/broken'}
    first = jobs[0].run()
    assert not first['complete'] and first['counts']['pending'] == 2
    assert jobs[1].run()['complete']


def test_workers_give_the_same_outputs(tmp_path, dataset):
    root, _ = dataset
    reports = []
    for workers in (1, 2):
        out = tmp_path / f'out{workers}'
        reports.append(VideoBatchJob(str(root), str(out),
                                     Builder(tmp_path / f'log{workers}'),
                                     workers=workers, progress=False).run())
        assert _calls(tmp_path / f'log{workers}') == 3
    for rel in ('a/v1', 'a/v2', 'b/v3'):
        masks = [read_privacy_mask(str(tmp_path / f'out{w}' /
                                       (rel + '.privacy_mask.npz')))
                 for w in (1, 2)]
        assert (masks[0] == masks[1]).all()
    assert reports[0]['counts'] == reports[1]['counts']


def test_single_file_and_bad_arguments(tmp_path, dataset):
    root, _ = dataset
    out = tmp_path / 'single'
    report = VideoBatchJob(str(root / 'a' / 'v1.avi'), str(out),
                           Builder(tmp_path / 'l'), progress=False).run()
    assert report['counts']['ok'] == 1 and (out / 'v1.mp4').is_file()
    with pytest.raises(FileNotFoundError, match='INPUT'):
        VideoBatchJob(str(tmp_path / 'nope'), str(out), Builder('l'))
    with pytest.raises(ValueError, match='shard-id'):
        VideoBatchJob(str(root), str(out), Builder('l'), num_shards=2,
                      shard_id=2)
    (tmp_path / 'abs.txt').write_text('/abs/v.mp4 0\n')
    with pytest.raises(ValueError, match='relative'):
        VideoBatchJob(str(tmp_path / 'abs.txt'), str(out),
                      Builder('l')).all_tasks()


def test_wrong_output_shape_is_a_per_video_failure(tmp_path, dataset):
    root, _ = dataset

    report = VideoBatchJob(str(root / 'a' / 'v1.avi'), str(tmp_path / 'o'),
                           BadBuilder(), progress=False).run()
    assert report['counts']['failed'] == 1
    assert 'same frame count' in report['failed']['v1']


class BadBuilder:

    def __call__(self):
        return lambda frames, fps, **kw: AnonymizedVideo(
            frames[:-1], np.zeros(frames.shape[:3], bool))
