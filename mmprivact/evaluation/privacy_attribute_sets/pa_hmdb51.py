"""PA-HMDB51 (Wu et al., TPAMI 2020): per-frame privacy attributes.

Released annotation (github.com/VITA-Group/PA-HMDB51, ``PrivacyAttributes``)
is one JSON per action, ``<action>.json``::

    {"<video>.avi": {"skin_color": [[start, end, value], ...],
                     "face": [...], "gender": [...], "nudity": [...],
                     "relationship": [...], "review": true, "note": ""}}

``start``/``end`` are inclusive frame indices; ``value`` is a level (an
int) or, when several people differ, a list of levels. A single JSON
``{"<action>": {"<video>.avi": {...}}}`` (all actions merged) is accepted
too. Videos are the original HMDB51 files::

    root/PrivacyAttributes/<action>.json      (or annotations=...)
    root/videos/<action>/<video>.avi          (or video_root=...)

**Binarization** (as Wu et al.'s released converter, ``data-preparation/
PA_HMDB51`` of VITA-Group/Privacy-AdversarialLearning): an attribute is
present in a frame when its level there is non-zero (a list counts when
any entry is non-zero); level 0 means not visible / not identifiable. A
frame outside every range of an attribute has it absent. Targets are the
five attributes :data:`PA_HMDB51_ATTRIBUTES`.

**Frames**: ``frames_per_video`` evenly spaced frames among the annotated
frames of each video (those covered by at least one range).

**Splits**: the release has none (Wu et al. use all of PA-HMDB51 as a test
set; SPAct's own split is not published). ``split='all'`` returns every
video; ``'train'``/``'test'`` use ``test_list`` (a text file of video names,
or a folder of such ``.txt`` files like Wu et al.'s ``privacy_split/
test_set``) or, without it, a seeded per-action split holding out
``test_fraction`` of each action's videos. Frames of one video never land
in both splits.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np
from tqdm import tqdm

from .base import PrivacyAttributeSplit, decode_frames, evenly_spaced

PA_HMDB51_ATTRIBUTES = ('skin_color', 'face', 'gender', 'nudity',
                        'relationship')
_LAYOUT = ('expected root/PrivacyAttributes/<action>.json (the PA-HMDB51 '
           'release) and the HMDB51 videos in root/videos/<action>/')


def _present(value) -> bool:
    """Level(s) -> present (any non-zero level)."""
    if isinstance(value, (list, tuple)):
        return any(_present(v) for v in value)
    return int(value) != 0


def load_annotations(path: str) -> Dict[Tuple[str, str], Dict]:
    """Read the release (folder of ``<action>.json``) or a merged JSON.

    Returns:
        dict: ``(action, video) -> record`` for every annotated video.
    """
    if osp.isdir(path):
        files = sorted(glob.glob(osp.join(path, '*.json')))
        if not files:
            raise FileNotFoundError(f'no <action>.json in {path}; '
                                    f'{_LAYOUT}.')
        per_action = {}
        for file in files:
            with open(file) as f:
                per_action[osp.splitext(osp.basename(file))[0]] = json.load(f)
    elif osp.isfile(path):
        with open(path) as f:
            per_action = json.load(f)
    else:
        raise FileNotFoundError(f'PA-HMDB51 annotations {path!r} not found; '
                                f'{_LAYOUT}.')
    out = {}
    for action, videos in per_action.items():
        for video, record in videos.items():
            if not isinstance(record, dict) or not any(
                    a in record for a in PA_HMDB51_ATTRIBUTES):
                raise ValueError(f'{path}: {action}/{video} has no '
                                 f'attribute ranges; {_LAYOUT}.')
            out[(action, video)] = record
    return out


def frame_targets(record: Dict, frame: int) -> np.ndarray:
    """(5,) float32 binary attributes of one frame of an annotated video."""
    out = np.zeros(len(PA_HMDB51_ATTRIBUTES), np.float32)
    for k, attr in enumerate(PA_HMDB51_ATTRIBUTES):
        for start, end, value in record.get(attr, []):
            if start <= frame <= end and _present(value):
                out[k] = 1.0
    return out


def _annotated_frames(record: Dict) -> List[int]:
    frames = set()
    for attr in PA_HMDB51_ATTRIBUTES:
        for start, end, _ in record.get(attr, []):
            frames.update(range(int(start), int(end) + 1))
    return sorted(frames)


def _test_names(test_list: str) -> set:
    files = (sorted(glob.glob(osp.join(test_list, '*.txt')))
             if osp.isdir(test_list) else [test_list])
    if not files or not all(osp.isfile(f) for f in files):
        raise FileNotFoundError(f'test_list {test_list!r}: expected a text '
                                f'file of video names or a folder of them.')
    names = set()
    for file in files:
        with open(file) as f:
            names.update(osp.basename(line.strip()) for line in f
                         if line.strip())
    return names


def split_videos(keys: List[Tuple[str, str]], split: str,
                 test_list: Optional[str] = None,
                 test_fraction: float = 0.3,
                 split_seed: int = 0) -> List[Tuple[str, str]]:
    """The ``(action, video)`` keys of a split, sorted."""
    keys = sorted(keys)
    if split == 'all':
        return keys
    if split not in ('train', 'test'):
        raise ValueError(f"split must be 'train', 'test' or 'all'; got "
                         f'{split!r}.')
    if test_list is not None:
        names = _test_names(test_list)
        test = {k for k in keys if k[1] in names}
    else:
        if not 0.0 < test_fraction < 1.0:
            raise ValueError(f'test_fraction must be in (0, 1); got '
                             f'{test_fraction}.')
        rng = np.random.default_rng(split_seed)
        test = set()
        for action in sorted({a for a, _ in keys}):
            videos = [k for k in keys if k[0] == action]
            n_test = int(round(test_fraction * len(videos)))
            n_test = min(max(n_test, 1), len(videos) - 1) \
                if len(videos) > 1 else 0
            order = rng.permutation(len(videos))
            test.update(videos[i] for i in order[:n_test])
    return [k for k in keys if (k in test) == (split == 'test')]


def load_split(root: str,
               split: str,
               size: int = 112,
               max_items: Optional[int] = None,
               frames_per_video: int = 4,
               video_root: Optional[str] = None,
               annotations: Optional[str] = None,
               test_list: Optional[str] = None,
               test_fraction: float = 0.3,
               split_seed: int = 0) -> PrivacyAttributeSplit:
    """Load annotated frames of PA-HMDB51 with per-frame binary attributes.

    Args:
        root (str): Dataset folder.
        split (str): ``'train'``, ``'test'`` or ``'all'``.
        size (int): Centre-crop and resize to ``size`` x ``size``.
        max_items (int, optional): First videos of the split only.
        frames_per_video (int): Evenly spaced annotated frames per video.
        video_root (str, optional): HMDB51 videos; ``root/videos``.
        annotations (str, optional): Folder of ``<action>.json`` or one
            merged JSON; ``root/PrivacyAttributes``.
        test_list (str, optional): Test video names (see module doc).
        test_fraction (float): Held-out share per action without a list.
        split_seed (int): Seed of the per-action split.

    Returns:
        PrivacyAttributeSplit: ``group`` is the video's row in the split.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'data root {root!r} not found; {_LAYOUT}.')
    records = load_annotations(annotations
                               or osp.join(root, 'PrivacyAttributes'))
    keys = split_videos(list(records), split, test_list, test_fraction,
                        split_seed)
    if max_items is not None:
        keys = keys[:max_items]
    if not keys:
        raise ValueError(f'PA-HMDB51 split {split!r} has no video.')
    video_root = video_root or osp.join(root, 'videos')
    frames, targets, group = [], [], []
    for i, (action, video) in enumerate(
            tqdm(keys, desc=f'PA-HMDB51 {split}', unit='video',
                 leave=False)):
        record = records[(action, video)]
        path = osp.join(video_root, action, video)
        if not osp.isfile(path) and osp.isfile(osp.join(video_root, video)):
            path = osp.join(video_root, video)
        annotated = _annotated_frames(record)
        chosen: List[int] = []

        def pick(length: int) -> List[int]:
            chosen[:] = evenly_spaced([f for f in annotated if f < length],
                                      frames_per_video)
            return chosen

        try:
            clip = decode_frames(path, size, pick)
        except FileNotFoundError as err:
            raise FileNotFoundError(f'{err} ({_LAYOUT})') from err
        frames.append(clip)
        targets += [frame_targets(record, f) for f in chosen]
        group += [i] * len(chosen)
    if not targets:
        raise ValueError(f'PA-HMDB51 split {split!r}: no annotated frame '
                         f'inside the videos (check video_root).')
    return PrivacyAttributeSplit(
        frames=np.concatenate(frames), targets=np.stack(targets),
        attribute_names=list(PA_HMDB51_ATTRIBUTES), single_label=False,
        group=np.asarray(group, dtype=np.int64))


__all__ = ['load_split', 'load_annotations', 'frame_targets',
           'split_videos', 'PA_HMDB51_ATTRIBUTES']
