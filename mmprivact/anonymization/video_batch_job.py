"""Anonymize a whole dataset: resumable, shardable, skip-and-report."""
import json
import logging
import multiprocessing
import os
import os.path as osp
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from .clip_files import video_seed
from .video_io import (VideoReadError, read_video, write_privacy_mask,
                       write_video)

logger = logging.getLogger(__name__)

VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mkv', '.mov', '.webm', '.mpg', '.mpeg',
                    '.m4v')
STATUS_DIR = '.status'
REPORT = 'report.json'
MASK_SUFFIX = '.privacy_mask.npz'


@dataclass
class VideoTask:
    """One input video.

    Attributes:
        source (str): Path of the input video.
        relative (str): Its path below the input root, extension removed;
            the outputs are ``OUT_DIR/<relative>.mp4`` and
            ``OUT_DIR/<relative>.privacy_mask.npz``.
    """

    source: str
    relative: str


def _status_path(out_dir: str, relative: str) -> str:
    return osp.join(out_dir, STATUS_DIR, relative + '.json')


def _write_json(path: str, data: Dict) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


# Worker-process state: the anonymizer is built once per process.
_WORKER: Dict[str, Any] = {}


def _init_worker(build: Callable[[], Callable]) -> None:
    _WORKER['anonymizer'] = build()


def _process(task: VideoTask, out_dir: str) -> Dict:
    """Anonymize one video; never raises for a per-video problem."""
    start = time.perf_counter()
    status = dict(source=task.source, status='failed')
    try:
        frames, fps = read_video(task.source)
        status.update(frames=int(len(frames)), fps_in=fps,
                      size=[int(frames.shape[2]), int(frames.shape[1])])
        result = _WORKER['anonymizer'](frames, fps, source=task.source,
                                       seed=video_seed(task.relative))
        result.check_matches(frames)
        video = osp.join(out_dir, task.relative + '.mp4')
        mask = osp.join(out_dir, task.relative + MASK_SUFFIX)
        write_video(video, result.frames, fps)
        write_privacy_mask(mask, result.non_sensitive)
        seconds = time.perf_counter() - start
        status.update(
            status='ok', output=video, mask=mask, seconds=seconds,
            fps=len(frames) / seconds,
            non_sensitive_fraction=float(result.non_sensitive.mean()),
            stage_seconds={k: float(v)
                           for k, v in result.stage_seconds.items()})
    except VideoReadError as exc:
        status.update(reason=f'unreadable video: {exc}')
    except Exception as exc:  # one bad video must not stop the batch
        status.update(reason=f'{type(exc).__name__}: {exc}',
                      traceback=traceback.format_exc(limit=8))
    status.setdefault('seconds', time.perf_counter() - start)
    _write_json(_status_path(out_dir, task.relative), status)
    return dict(status, relative=task.relative)


class VideoBatchJob:
    """Run an anonymizer over a video, a folder or an annotation list.

    Every input video becomes ``OUT_DIR/<relative path>.mp4`` (same frame
    count, size and fps) and ``OUT_DIR/<relative path>.privacy_mask.npz``
    (key ``non_sensitive``, bool T x H x W, ``True`` = synthetic). Outputs
    are written under temporary names and renamed, and each video's status
    is stored on its own (``OUT_DIR/.status/``), so an interrupted run, or
    several shards running at once, lose nothing: a re-run skips finished
    videos and redoes the rest. ``OUT_DIR/report.json`` gathers the status
    of every video (``ok`` or ``failed`` with a reason, frames, seconds,
    fps, seconds per stage) and is rewritten at the end of every run; for
    an annotation list, ``OUT_DIR/<list name>`` is the list rewritten to
    the anonymized videos (videos that failed are left out and counted).

    Args:
        input_path (str): A video file, a folder (searched recursively for
            video files) or an MMAction2 annotation list (``.txt``: one
            ``<path> <label...>`` per line).
        out_dir (str): Output folder.
        build_anonymizer (Callable[[], Callable]): Builds the anonymizer in
            each worker: ``anonymizer(frames, fps, source=PATH, seed=S) ->
            AnonymizedVideo`` (``seed`` is stable per video).
            Must be picklable when ``workers > 1``.
        video_root (str, optional): For an annotation list, the folder its
            paths are relative to. Defaults to the list's folder.
        num_shards (int): Split the inputs into this many shards (a job
            array). Defaults to 1.
        shard_id (int): Which shard this run does, ``0 <= shard_id <
            num_shards``. Video i (in sorted order) goes to shard
            ``i % num_shards``.
        workers (int): Processes working in parallel. Defaults to 1.
        progress (bool): Show a progress bar. Defaults to True.
        list_out (str, optional): Where the rewritten annotation list goes.
            Defaults to ``OUT_DIR/<list name>``.
    """

    def __init__(self,
                 input_path: str,
                 out_dir: str,
                 build_anonymizer: Callable[[], Callable],
                 *,
                 video_root: Optional[str] = None,
                 num_shards: int = 1,
                 shard_id: int = 0,
                 workers: int = 1,
                 progress: bool = True,
                 list_out: Optional[str] = None) -> None:
        if not osp.exists(input_path):
            raise FileNotFoundError(
                f'INPUT {input_path!r} does not exist; give a video file, a '
                'folder of videos or an MMAction2 annotation list (.txt).')
        if num_shards < 1 or not 0 <= shard_id < num_shards:
            raise ValueError(f'--shard-id must be in [0, --num-shards); got '
                             f'shard_id={shard_id}, num_shards={num_shards}.')
        if workers < 1:
            raise ValueError(f'--workers must be >= 1, got {workers}.')
        self.input_path = input_path
        self.out_dir = out_dir
        self.build_anonymizer = build_anonymizer
        self.num_shards = num_shards
        self.shard_id = shard_id
        self.workers = workers
        self.progress = progress
        self.list_out = list_out or osp.join(out_dir,
                                             osp.basename(input_path))
        self.is_list = osp.isfile(input_path) and \
            input_path.lower().endswith('.txt')
        self.video_root = video_root or (
            osp.dirname(osp.abspath(input_path))
            if osp.isfile(input_path) else input_path)

    # -- inputs -----------------------------------------------------------
    def _list_lines(self) -> List[Tuple[str, str]]:
        """(video path as written, rest of the line) per non-empty line."""
        lines = []
        with open(self.input_path) as f:
            for number, line in enumerate(f, 1):
                parts = line.strip().split(maxsplit=1)
                if not parts:
                    continue
                if osp.isabs(parts[0]) or '..' in parts[0].split('/'):
                    raise ValueError(
                        f'{self.input_path}:{number}: video path '
                        f'{parts[0]!r} must be relative to --video-root '
                        'so the output can mirror it.')
                lines.append((parts[0], parts[1] if len(parts) > 1 else ''))
        return lines

    def all_tasks(self) -> List[VideoTask]:
        """Every input video, sorted, before sharding.

        Returns:
            list[VideoTask]: The inputs.
        """
        if self.is_list:
            paths = sorted({p for p, _ in self._list_lines()})
            return [VideoTask(osp.join(self.video_root, p),
                              osp.splitext(p)[0]) for p in paths]
        if osp.isfile(self.input_path):
            name = osp.basename(self.input_path)
            return [VideoTask(self.input_path, osp.splitext(name)[0])]
        tasks = []
        for folder, _, files in os.walk(self.input_path):
            for name in files:
                if name.lower().endswith(VIDEO_EXTENSIONS):
                    path = osp.join(folder, name)
                    rel = osp.relpath(path, self.input_path)
                    tasks.append(VideoTask(path, osp.splitext(rel)[0]))
        out = osp.abspath(self.out_dir)
        tasks = [t for t in tasks
                 if not osp.abspath(t.source).startswith(out + os.sep)]
        return sorted(tasks, key=lambda t: t.relative)

    def shard_tasks(self) -> List[VideoTask]:
        """This shard's inputs.

        Returns:
            list[VideoTask]: Every ``num_shards``-th input from
            ``shard_id``.
        """
        return self._shard(self.all_tasks())

    def _shard(self, tasks: List[VideoTask]) -> List[VideoTask]:
        return tasks[self.shard_id::self.num_shards]

    def _is_done(self, task: VideoTask) -> bool:
        path = _status_path(self.out_dir, task.relative)
        if not osp.isfile(path):
            return False
        with open(path) as f:
            status = json.load(f)
        return status.get('status') == 'ok' and all(
            osp.isfile(osp.join(self.out_dir, task.relative + ext))
            for ext in ('.mp4', MASK_SUFFIX))

    # -- running ----------------------------------------------------------
    def run(self) -> Dict:
        """Anonymize this shard's videos that are not finished yet.

        Returns:
            dict: The report (also written to ``OUT_DIR/report.json``).
        """
        os.makedirs(self.out_dir, exist_ok=True)
        everything = self.all_tasks()  # one folder walk / list read
        tasks = self._shard(everything)
        todo = [t for t in tasks if not self._is_done(t)]
        logger.info('%d videos in shard %d/%d, %d already done, %d to do.',
                    len(tasks), self.shard_id, self.num_shards,
                    len(tasks) - len(todo), len(todo))
        bar = None
        if self.progress and todo:
            from tqdm import tqdm
            bar = tqdm(total=len(todo), unit='video', desc='anonymizing')
        if not todo:
            pass  # all finished: build no models
        elif self.workers == 1 or len(todo) == 1:
            _init_worker(self.build_anonymizer)
            results = (_process(t, self.out_dir) for t in todo)
            self._consume(results, bar)
        else:
            ctx = multiprocessing.get_context('fork')
            with ctx.Pool(self.workers, _init_worker,
                          (self.build_anonymizer, )) as pool:
                results = pool.imap_unordered(
                    _call_process, [(t, self.out_dir) for t in todo])
                self._consume(results, bar)
        if bar is not None:
            bar.close()
        return self.write_report(everything)

    @staticmethod
    def _consume(results, bar) -> None:
        for status in results:
            if status['status'] != 'ok':
                logger.warning('%s failed: %s', status['source'],
                               status.get('reason'))
            if bar is not None:
                bar.update(1)

    # -- reporting --------------------------------------------------------
    def write_report(self,
                     tasks: Optional[List[VideoTask]] = None) -> Dict:
        """Gather every video's status into ``OUT_DIR/report.json``.

        Also rewrites the annotation list when the input was one.

        Args:
            tasks (list[VideoTask], optional): :meth:`all_tasks`, when the
                caller has it already.

        Returns:
            dict: The report.
        """
        videos = {}
        for task in tasks if tasks is not None else self.all_tasks():
            path = _status_path(self.out_dir, task.relative)
            if osp.isfile(path):
                with open(path) as f:
                    videos[task.relative] = json.load(f)
            else:
                videos[task.relative] = dict(source=task.source,
                                             status='pending')
        ok = [v for v in videos.values() if v['status'] == 'ok']
        frames = sum(v['frames'] for v in ok)
        seconds = sum(v['seconds'] for v in ok)
        stages: Dict[str, float] = {}
        for v in ok:
            for k, s in v.get('stage_seconds', {}).items():
                stages[k] = stages.get(k, 0.0) + s
        counts = {s: sum(v['status'] == s for v in videos.values())
                  for s in ('ok', 'failed', 'pending')}
        report = dict(
            input=osp.abspath(self.input_path),
            out_dir=osp.abspath(self.out_dir),
            complete=counts['pending'] == 0,
            counts=counts,
            frames=frames,
            seconds=seconds,
            fps=frames / seconds if seconds else None,
            stage_seconds_per_frame={k: s / frames
                                     for k, s in stages.items()}
            if frames else {},
            failed={k: v.get('reason') for k, v in videos.items()
                    if v['status'] == 'failed'},
            videos=videos)
        if self.is_list:
            report['annotation_list'] = self._rewrite_list(videos)
        _write_json(osp.join(self.out_dir, REPORT), report)
        return report

    def _rewrite_list(self, videos: Dict[str, Dict]) -> Dict:
        out = self.list_out
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        kept, dropped = [], 0
        for path, rest in self._list_lines():
            relative = osp.splitext(path)[0]
            if videos.get(relative, {}).get('status') == 'ok':
                kept.append(f'{relative}.mp4 {rest}'.rstrip())
            else:
                dropped += 1
        tmp = out + '.tmp'
        with open(tmp, 'w') as f:
            f.write(''.join(line + '\n' for line in kept))
        os.replace(tmp, out)
        return dict(path=out, lines=len(kept), left_out=dropped)


def _call_process(args: Tuple[VideoTask, str]) -> Dict:
    return _process(*args)
