"""Build NTU RGB+D 60 cross-subject lists for ``CheckedVideoDataset``.

Scans a folder of NTU RGB+D RGB videos (``SsssCcccPpppRrrrAaaa_rgb.avi``,
flat as released or in sub-folders), and writes, in MMAction2's
``VideoDataset`` format (``relative/path label`` with 0-based labels)::

    OUT_DIR/ntu60_xsub_train_videos.txt   training subjects
    OUT_DIR/ntu60_xsub_val_videos.txt     all other subjects (= test list)
    OUT_DIR/classes.txt                   line i = name of label i

Cross-subject benchmark (Shahroudy et al., "NTU RGB+D", CVPR 2016): the 20
training subjects below, the other 20 for testing; there is no official
validation set. Videos of NTU RGB+D 120 (setups S018-S032, actions
A061-A120) found in the same folder are skipped and counted.

Example::

    python tools/data/ntu60/build_annotations.py \\
        --video-dir data/ntu60/videos --out-dir data/ntu60

See docs/data_preparation.md#ntu-rgbd-60.
"""
import argparse
import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from mmprivact.datasets.annotation_lists import (Entry, find_files, run_cli,
                                                 write_split_lists)

DATA_DOC = 'docs/data_preparation.md#ntu-rgbd-60'

#: Official cross-subject training subjects of NTU RGB+D 60.
XSUB_TRAIN_SUBJECTS = frozenset(
    (1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35,
     38))
NUM_SUBJECTS = 40
NUM_SETUPS = 17

#: Action names A001..A060 in label order (label = action id - 1).
CLASSES = (
    'drink water', 'eat meal/snack', 'brushing teeth', 'brushing hair',
    'drop', 'pickup', 'throw', 'sitting down',
    'standing up (from sitting position)', 'clapping', 'reading', 'writing',
    'tear up paper', 'wear jacket', 'take off jacket', 'wear a shoe',
    'take off a shoe', 'wear on glasses', 'take off glasses',
    'put on a hat/cap', 'take off a hat/cap', 'cheer up', 'hand waving',
    'kicking something', 'reach into pocket', 'hopping (one foot jumping)',
    'jump up', 'make a phone call/answer phone', 'playing with phone/tablet',
    'typing on a keyboard', 'pointing to something with finger',
    'taking a selfie', 'check time (from watch)', 'rub two hands together',
    'nod head/bow', 'shake head', 'wipe face', 'salute',
    'put the palms together', 'cross hands in front (say stop)',
    'sneeze/cough', 'staggering', 'falling', 'touch head (headache)',
    'touch chest (stomachache/heart pain)', 'touch back (backache)',
    'touch neck (neckache)', 'nausea or vomiting condition',
    'use a fan (with hand or paper)/feeling warm',
    'punching/slapping other person', 'kicking other person',
    'pushing other person', 'pat on back of other person',
    'point finger at the other person', 'hugging other person',
    'giving something to other person', "touch other person's pocket",
    'handshaking', 'walking towards each other',
    'walking apart from each other')

VIDEO_SUFFIX = '_rgb.avi'
_NAME_RE = re.compile(
    r'^S(?P<setup>\d{3})C(?P<camera>\d{3})P(?P<subject>\d{3})'
    r'R(?P<replication>\d{3})A(?P<action>\d{3})_rgb\.avi$')


@dataclass(frozen=True)
class NTUVideo:
    """Fields encoded in an NTU RGB+D video file name.

    Attributes:
        setup (int): Setup number ``Sxxx`` (1-17 in NTU-60).
        camera (int): Camera ``Cxxx`` (1-3).
        subject (int): Performer ``Pxxx`` (1-40 in NTU-60).
        replication (int): Replication ``Rxxx`` (1-2).
        action (int): Action class ``Axxx``, 1-based (1-60 in NTU-60).
    """

    setup: int
    camera: int
    subject: int
    replication: int
    action: int

    @property
    def label(self) -> int:
        """int: The 0-based class label."""
        return self.action - 1

    @property
    def in_ntu60(self) -> bool:
        """bool: Whether the video belongs to NTU RGB+D 60 (not only 120)."""
        return (self.action <= len(CLASSES) and self.setup <= NUM_SETUPS
                and self.subject <= NUM_SUBJECTS)


def parse_filename(path: str) -> NTUVideo:
    """Parse an NTU RGB+D video name, e.g. ``S001C002P003R002A013_rgb.avi``.

    Args:
        path (str): File name or path; only the base name is parsed.

    Returns:
        NTUVideo: The decoded fields.

    Raises:
        ValueError: If the base name does not follow the NTU pattern.
    """
    name = osp.basename(path)
    match = _NAME_RE.match(name)
    if match is None:
        raise ValueError(
            f'{path!r} is not an NTU RGB+D RGB video name: expected '
            "'SsssCcccPpppRrrrAaaa_rgb.avi' (e.g. "
            "'S001C002P003R002A013_rgb.avi'). Remove or rename the file, or "
            'point --video-dir at the folder holding only the released '
            'videos.')
    fields = {key: int(value) for key, value in match.groupdict().items()}
    if min(fields.values()) < 1:
        raise ValueError(
            f'{path!r} is not an NTU RGB+D RGB video name: in '
            "'SsssCcccPpppRrrrAaaa_rgb.avi' every id starts at 001, got "
            f'{fields}. Remove or rename the file.')
    return NTUVideo(**fields)


def xsub_subset(video: NTUVideo) -> str:
    """Return ``'train'`` or ``'val'`` for the cross-subject benchmark.

    Args:
        video (NTUVideo): A parsed NTU RGB+D 60 video.

    Returns:
        str: ``'train'`` if the performer is a training subject, else
        ``'val'`` (the official test subjects).
    """
    return 'train' if video.subject in XSUB_TRAIN_SUBJECTS else 'val'


def find_videos(video_dir: str) -> List[str]:
    """List the ``*.avi`` files below ``video_dir`` (recursively), sorted.

    Every ``.avi`` file is listed, so a stray one fails name parsing in
    :func:`build_xsub_lists` instead of being silently left out.

    Args:
        video_dir (str): Folder with the NTU RGB+D RGB videos.

    Returns:
        list[str]: ``'/'``-separated paths relative to ``video_dir``.

    Raises:
        FileNotFoundError: If ``video_dir`` is not a folder.
    """
    return find_files(
        video_dir,
        '.avi',
        not_found_message=(
            f'NTU RGB+D video folder {video_dir!r} does not exist. Extract '
            f'nturgb+d_rgb_s001.zip ... s017.zip there (see {DATA_DOC}) or '
            'pass --video-dir.'))


def build_xsub_lists(
        rel_paths: Sequence[str]) -> Tuple[Dict[str, List[Entry]], int]:
    """Split videos into cross-subject train/val entries.

    Args:
        rel_paths (Sequence[str]): Video paths relative to the video folder.

    Returns:
        tuple[dict[str, list[tuple[str, int]]], int]: ``{'train': [...],
        'val': [...]}`` with ``(relative path, 0-based label)`` entries in
        sorted path order, and the number of NTU-120-only videos skipped.

    Raises:
        ValueError: If a file name does not parse (names the file).
    """
    lists: Dict[str, List[Entry]] = {'train': [], 'val': []}
    skipped = 0
    for rel_path in sorted(rel_paths):
        video = parse_filename(rel_path)
        if not video.in_ntu60:
            skipped += 1
            continue
        lists[xsub_subset(video)].append((rel_path, video.label))
    return lists, skipped


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Build NTU RGB+D 60 cross-subject annotation lists.')
    parser.add_argument(
        '--video-dir',
        default='data/ntu60/videos',
        help='folder with the *_rgb.avi videos (default: %(default)s)')
    parser.add_argument(
        '--out-dir',
        default='data/ntu60',
        help='where the lists are written (default: %(default)s)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, List[Entry]]:
    """Run the CLI; returns the lists it wrote."""
    args = parse_args(argv)
    videos = find_videos(args.video_dir)
    if not videos:
        raise FileNotFoundError(
            f'No *_rgb.avi videos found under {args.video_dir!r}; see '
            f'{DATA_DOC}.')
    lists, skipped = build_xsub_lists(videos)
    if not lists['train'] or not lists['val']:
        raise ValueError(
            f'Cross-subject split of {args.video_dir!r} is empty on one side '
            f"(train={len(lists['train'])}, val={len(lists['val'])}); the "
            'folder holds only some of the subjects. Extract every setup '
            f'archive (S001-S017), see {DATA_DOC}.')
    write_split_lists(args.out_dir, lists, 'ntu60_xsub_{subset}_videos.txt',
                      CLASSES, echo=print)
    if skipped:
        print(f'skipped {skipped} NTU RGB+D 120-only videos (not in NTU-60)')
    return lists


if __name__ == '__main__':
    run_cli(main)
