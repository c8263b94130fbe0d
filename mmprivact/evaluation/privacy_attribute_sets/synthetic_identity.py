"""Private attributes of the embedded synthetic benchmark.

Layout (``tools/data/generate_synthetic.py``)::

    root/videos/v00000.mp4 ...
    root/{train,val,test}_identity.txt   "videos/v00000.mp4 <identity index>"
    root/identities.txt                  one identity name per line
    root/annotations.json                identities: [{shirt, pattern, hair,
                                         height, build, ...}, ...]

``attributes='identity'`` (default): the identity as a one-hot single label.
``attributes='appearance'``: multi-label visual attributes of the identity
(:data:`APPEARANCE_ATTRIBUTES`), computed from ``annotations.json``:

* ``pattern_<p>`` for the shirt pattern ``p`` in solid, hstripes,
  vstripes, checks, dots;
* ``hair_dark`` / ``hair_mid`` / ``hair_light``: mean of the hair RGB
  < 85, in [85, 170), >= 170;
* ``build_slim`` (build < 0.95), ``build_broad`` (build > 1.05);
* ``tall`` (height >= 1.80 m).
"""
import json
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
from tqdm import tqdm

from .base import PrivacyAttributeSplit, decode_frames, evenly_spaced

PATTERNS = ('solid', 'hstripes', 'vstripes', 'checks', 'dots')
APPEARANCE_ATTRIBUTES = ([f'pattern_{p}' for p in PATTERNS] + [
    'hair_dark', 'hair_mid', 'hair_light', 'build_slim', 'build_broad', 'tall'
])
_LAYOUT = ('expected root/{split}_identity.txt, root/identities.txt and '
           'root/videos/ (generate with tools/data/generate_synthetic.py)')


def appearance_vector(identity: Dict) -> np.ndarray:
    """Multi-hot :data:`APPEARANCE_ATTRIBUTES` of one identity record."""
    hair = float(np.mean(identity['hair']))
    on = {f"pattern_{identity['pattern']}",
          'hair_dark' if hair < 85 else
          'hair_light' if hair >= 170 else 'hair_mid'}
    if identity['build'] < 0.95:
        on.add('build_slim')
    if identity['build'] > 1.05:
        on.add('build_broad')
    if identity['height'] >= 1.80:
        on.add('tall')
    return np.array([n in on for n in APPEARANCE_ATTRIBUTES], np.float32)


def _read_rows(path: str) -> List[tuple]:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} not found; {_LAYOUT}.')
    with open(path) as f:
        rows = [line.split() for line in f if line.strip()]
    return [(rel, int(label)) for rel, label in rows]


def load_split(root: str,
               split: str,
               size: int = 64,
               max_items: Optional[int] = None,
               frames_per_video: int = 4,
               attributes: str = 'identity') -> PrivacyAttributeSplit:
    """Load evenly spaced frames of a split with identity attributes.

    Args:
        root (str): Dataset folder.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        size (int): Frames are resized to ``size`` x ``size``.
        max_items (int, optional): Use only the first videos of the list.
        frames_per_video (int): Evenly spaced frames per video.
        attributes (str): ``'identity'`` or ``'appearance'``.

    Returns:
        PrivacyAttributeSplit: ``group`` is the video's row in the list.
    """
    if attributes not in ('identity', 'appearance'):
        raise ValueError(f"attributes must be 'identity' or 'appearance'; "
                         f'got {attributes!r}.')
    if not osp.isdir(root):
        raise FileNotFoundError(f'data root {root!r} not found; {_LAYOUT}.')
    rows = _read_rows(osp.join(root, f'{split}_identity.txt'))
    if max_items is not None:
        rows = rows[:max_items]
    names_file = osp.join(root, 'identities.txt')
    if not osp.isfile(names_file):
        raise FileNotFoundError(f'{names_file} not found; {_LAYOUT}.')
    with open(names_file) as f:
        names = f.read().split()
    if attributes == 'appearance':
        ann_file = osp.join(root, 'annotations.json')
        if not osp.isfile(ann_file):
            raise FileNotFoundError(f'{ann_file} not found; {_LAYOUT}.')
        with open(ann_file) as f:
            records = json.load(f)['identities']
        table = np.stack([appearance_vector(r) for r in records])
        attr_names = list(APPEARANCE_ATTRIBUTES)
    else:
        table = np.eye(len(names), dtype=np.float32)
        attr_names = names
    frames, targets, group = [], [], []
    for i, (rel, ident) in enumerate(
            tqdm(rows, desc=f'decode {split}', unit='video', leave=False)):
        if not 0 <= ident < len(table):
            raise ValueError(f'{split}_identity.txt: identity {ident} of '
                             f'{rel} is out of range (0..{len(table) - 1}).')
        clip = decode_frames(osp.join(root, rel), size,
                             lambda n: evenly_spaced(range(n),
                                                     frames_per_video))
        frames.append(clip)
        targets += [table[ident]] * len(clip)
        group += [i] * len(clip)
    if not frames:
        raise ValueError(f'no video in the {split!r} list of {root!r}.')
    return PrivacyAttributeSplit(
        frames=np.concatenate(frames), targets=np.stack(targets),
        attribute_names=attr_names, single_label=attributes == 'identity',
        group=np.asarray(group, dtype=np.int64))


__all__ = ['load_split', 'appearance_vector', 'APPEARANCE_ATTRIBUTES']
