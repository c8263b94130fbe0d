"""Build Toyota Smarthome cross-subject lists for ``CheckedVideoDataset``.

Scans the trimmed Toyota Smarthome videos
(``Activity_pSS_rTT_vVV_cCC.mp4``, e.g. ``Cook.Cut_p03_r00_v02_c03.mp4``)
and writes, in MMAction2's ``VideoDataset`` format (``relative/path label``,
0-based labels)::

    OUT_DIR/toyota_smarthome_xsub_train_videos.txt
    OUT_DIR/toyota_smarthome_xsub_val_videos.txt
    OUT_DIR/toyota_smarthome_xsub_test_videos.txt
    OUT_DIR/classes.txt                   line i = name of label i

Cross-subject protocol (Das et al., "Toyota Smarthome: Real-World Activities
of Daily Living", ICCV 2019): 31 classes, subjects 3 4 6 7 9 12 13 15 17 19
25 for training and 2 10 11 14 16 18 20 for testing. By default the val list
equals the test list. ``--official-val`` instead holds subjects 19 and 25
out of training as the validation set, as the authors' RGB (I3D) baseline
does. Videos of activities outside the 31 classes (the release contains a
few, e.g. ``Pour.Fromcup``) are skipped and reported.

The class order is the authors' skeleton baseline's (0-based); their I3D
code numbers the same names from 1. ``classes.txt`` records the order used.

Example::

    python tools/data/toyota_smarthome/build_annotations.py \\
        --video-dir data/toyota_smarthome/videos \\
        --out-dir data/toyota_smarthome

See docs/data_preparation.md#toyota-smarthome.
"""
import argparse
import os.path as osp
import re
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from mmprivact.datasets.annotation_lists import (Entry, find_files, run_cli,
                                                 write_split_lists)

DATA_DOC = 'docs/data_preparation.md#toyota-smarthome'

#: The 31 cross-subject classes, in label order.
CLASSES = (
    'Cook.Cleandishes', 'Cook.Cleanup', 'Cook.Cut', 'Cook.Stir',
    'Cook.Usestove', 'Cutbread', 'Drink.Frombottle', 'Drink.Fromcan',
    'Drink.Fromcup', 'Drink.Fromglass', 'Eat.Attable', 'Eat.Snack', 'Enter',
    'Getup', 'Laydown', 'Leave', 'Makecoffee.Pourgrains',
    'Makecoffee.Pourwater', 'Maketea.Boilwater', 'Maketea.Insertteabag',
    'Pour.Frombottle', 'Pour.Fromcan', 'Pour.Fromkettle', 'Readbook',
    'Sitdown', 'Takepills', 'Uselaptop', 'Usetelephone', 'Usetablet', 'Walk',
    'WatchTV')
CLASS_TO_LABEL = {name: label for label, name in enumerate(CLASSES)}

#: Official cross-subject partition of the 18 subjects.
XSUB_TRAIN_SUBJECTS = frozenset((3, 4, 6, 7, 9, 12, 13, 15, 17, 19, 25))
XSUB_TEST_SUBJECTS = frozenset((2, 10, 11, 14, 16, 18, 20))
#: Training subjects the authors' RGB baseline holds out for validation.
OFFICIAL_VAL_SUBJECTS = frozenset((19, 25))

SUBSETS = ('train', 'val', 'test')
_NAME_RE = re.compile(
    r'^(?P<activity>[A-Za-z]+(?:\.[A-Za-z]+)*)_p(?P<subject>\d+)'
    r'_r(?P<take>\d+)_(?P<view>[a-z]?\d+)_c(?P<camera>\d+)\.mp4$')


@dataclass(frozen=True)
class SmarthomeVideo:
    """Fields encoded in a trimmed Toyota Smarthome video name.

    Attributes:
        activity (str): Activity name, e.g. ``'Cook.Cut'``.
        subject (int): Subject id ``pSS``.
        take (int): Repetition ``rTT``.
        camera (int): Camera ``cCC`` (1-7).
    """

    activity: str
    subject: int
    take: int
    camera: int


def parse_filename(path: str) -> SmarthomeVideo:
    """Parse a name such as ``Cook.Cut_p03_r00_v02_c03.mp4``.

    Args:
        path (str): File name or path; only the base name is parsed.

    Returns:
        SmarthomeVideo: The decoded fields.

    Raises:
        ValueError: If the name does not follow the Smarthome pattern.
    """
    name = osp.basename(path)
    match = _NAME_RE.match(name)
    if match is None:
        raise ValueError(
            f'{path!r} is not a trimmed Toyota Smarthome video name: '
            "expected 'Activity_pSS_rTT_vVV_cCC.mp4' (e.g. "
            "'Cook.Cut_p03_r00_v02_c03.mp4'). Remove or rename the file, or "
            'point --video-dir at the folder holding only the released mp4 '
            'videos.')
    return SmarthomeVideo(
        activity=match['activity'],
        subject=int(match['subject']),
        take=int(match['take']),
        camera=int(match['camera']))


def xsub_subsets(video: SmarthomeVideo, path: str,
                 official_val: bool = False) -> Tuple[str, ...]:
    """Return the subsets a video belongs to under the CS protocol.

    Args:
        video (SmarthomeVideo): The parsed video.
        path (str): Its path, quoted in errors.
        official_val (bool): Hold subjects 19 and 25 out of training as the
            validation set. If False, validation = test.

    Returns:
        tuple[str, ...]: ``('train',)``, ``('val',)`` or ``('val', 'test')``.

    Raises:
        ValueError: If the subject is not one of the 18 of the protocol.
    """
    if video.subject in XSUB_TRAIN_SUBJECTS:
        if official_val and video.subject in OFFICIAL_VAL_SUBJECTS:
            return ('val', )
        return ('train', )
    if video.subject in XSUB_TEST_SUBJECTS:
        return ('test', ) if official_val else ('val', 'test')
    raise ValueError(
        f'{path!r}: subject p{video.subject:02d} is in neither the '
        f'cross-subject training subjects {sorted(XSUB_TRAIN_SUBJECTS)} nor '
        f'the test subjects {sorted(XSUB_TEST_SUBJECTS)}. This is not a '
        f'file of the released trimmed dataset; remove it (see {DATA_DOC}).')


def find_videos(video_dir: str) -> List[str]:
    """List the ``*.mp4`` files below ``video_dir`` (recursively), sorted.

    Args:
        video_dir (str): Folder with the trimmed videos.

    Returns:
        list[str]: ``'/'``-separated paths relative to ``video_dir``.

    Raises:
        FileNotFoundError: If ``video_dir`` is not a folder.
    """
    return find_files(
        video_dir,
        '.mp4',
        not_found_message=(
            f'Toyota Smarthome video folder {video_dir!r} does not exist. '
            f'Extract the released mp4 archive there (see {DATA_DOC}) or '
            'pass --video-dir.'))


def build_xsub_lists(
        rel_paths: Sequence[str],
        official_val: bool = False
) -> Tuple[Dict[str, List[Entry]], Counter]:
    """Split videos into cross-subject train/val/test entries.

    Args:
        rel_paths (Sequence[str]): Video paths relative to the video folder.
        official_val (bool): See :func:`xsub_subsets`.

    Returns:
        tuple[dict[str, list[tuple[str, int]]], Counter]: The lists
        (``(relative path, 0-based label)`` in sorted path order) keyed by
        ``'train'``, ``'val'``, ``'test'``, and a count of skipped videos
        per activity outside the 31 classes.

    Raises:
        ValueError: If a file name does not parse or has an unknown subject.
    """
    lists: Dict[str, List[Entry]] = {subset: [] for subset in SUBSETS}
    skipped: Counter = Counter()
    for rel_path in sorted(rel_paths):
        video = parse_filename(rel_path)
        subsets = xsub_subsets(video, rel_path, official_val)
        label = CLASS_TO_LABEL.get(video.activity)
        if label is None:
            skipped[video.activity] += 1
            continue
        for subset in subsets:
            lists[subset].append((rel_path, label))
    return lists, skipped


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Build Toyota Smarthome cross-subject annotation lists.')
    parser.add_argument(
        '--video-dir',
        default='data/toyota_smarthome/videos',
        help='folder with the trimmed *.mp4 videos (default: %(default)s)')
    parser.add_argument(
        '--out-dir',
        default='data/toyota_smarthome',
        help='where the lists are written (default: %(default)s)')
    parser.add_argument(
        '--official-val',
        action='store_true',
        help='validate on subjects 19 and 25 (removed from training) as the '
        "authors' RGB baseline does; by default val = test")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, List[Entry]]:
    """Run the CLI; returns the lists it wrote."""
    args = parse_args(argv)
    videos = find_videos(args.video_dir)
    if not videos:
        raise FileNotFoundError(
            f'No *.mp4 videos found under {args.video_dir!r}; see {DATA_DOC}.')
    lists, skipped = build_xsub_lists(videos, args.official_val)
    empty = [subset for subset, entries in lists.items() if not entries]
    if empty:
        raise ValueError(
            f'Cross-subject split of {args.video_dir!r} leaves {empty} empty '
            f'({ {k: len(v) for k, v in lists.items()} }); the folder holds '
            f'only some subjects. Extract the whole release, see {DATA_DOC}.')
    write_split_lists(args.out_dir, lists,
                      'toyota_smarthome_xsub_{subset}_videos.txt', CLASSES,
                      echo=print)
    for activity, count in sorted(skipped.items()):
        print(f'skipped {count} videos of {activity!r} (not one of the 31 '
              'cross-subject classes)')
    return lists


if __name__ == '__main__':
    run_cli(main)
