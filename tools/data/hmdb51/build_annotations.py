"""Build HMDB-51 split lists for ``CheckedVideoDataset`` from official files.

Reads the official ``testTrainMulti_7030_splits`` files, one per class and
split (``<class>_test_splitN.txt``, lines ``<video>.avi <flag>`` with flag
1 = train, 2 = test, 0 = not used in this split), and writes the lists
MMAction2's HMDB-51 configs expect (``class/video.avi label``; labels are
the class names sorted alphabetically, 0-based, as in MMAction2)::

    OUT_DIR/hmdb51_train_split_N_videos.txt
    OUT_DIR/hmdb51_val_split_N_videos.txt     (the official test videos)
    OUT_DIR/classes.txt                       line i = name of label i

MMAction2's ``tools/data/hmdb51/generate_videos_filelist.sh`` (shipped in
the wheel under ``mmaction/.mim``) must be run from inside an MMAction2
source checkout with hard-coded relative paths and shuffles without a seed;
this tool runs from the repository root, is deterministic and checks that
the listed videos exist.

Example::

    python tools/data/hmdb51/build_annotations.py \\
        --split-dir data/hmdb51/annotations --video-dir data/hmdb51/videos \\
        --out-dir data/hmdb51 --split 1

See docs/data_preparation.md#hmdb-51.
"""
import argparse
import glob
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmprivact.datasets.annotation_lists import (Entry, add_missing_argument,
                                                 apply_missing_policy, run_cli,
                                                 write_split_lists)

DATA_DOC = 'docs/data_preparation.md#hmdb-51'
NUM_CLASSES = 51
#: Split-file flag -> subset; 0 means "not used in this split".
FLAG_TO_SUBSET = {'1': 'train', '2': 'val'}


def split_file_suffix(split: int) -> str:
    """Return the file-name suffix of a split, e.g. ``_test_split1.txt``."""
    if split not in (1, 2, 3):
        raise ValueError(f'HMDB-51 has splits 1, 2, 3; got {split}.')
    return f'_test_split{split}.txt'


def find_split_files(split_dir: str, split: int) -> Dict[str, str]:
    """Map each class name to its split file.

    Args:
        split_dir (str): Folder with ``<class>_test_splitN.txt`` files.
        split (int): 1, 2 or 3.

    Returns:
        dict[str, str]: Class name -> file path, sorted by class name.

    Raises:
        FileNotFoundError: If the folder or its split files are missing.
    """
    suffix = split_file_suffix(split)
    if not osp.isdir(split_dir):
        raise FileNotFoundError(
            f'HMDB-51 split folder {split_dir!r} does not exist. Extract '
            'test_train_splits.rar there (the *_test_split*.txt files of '
            f'testTrainMulti_7030_splits/, see {DATA_DOC}) or pass '
            '--split-dir.')
    files = sorted(glob.glob(osp.join(split_dir, f'*{suffix}')))
    if not files:
        raise FileNotFoundError(
            f'No *{suffix} files in {split_dir!r}. If the archive extracted '
            'into a testTrainMulti_7030_splits/ sub-folder, pass that folder '
            f'as --split-dir (see {DATA_DOC}).')
    return {osp.basename(p)[:-len(suffix)]: p for p in files}


def read_split_file(path: str) -> List[Tuple[str, str]]:
    """Read one ``<class>_test_splitN.txt`` file.

    Args:
        path (str): The split file.

    Returns:
        list[tuple[str, str]]: ``(video file name, flag)`` with flag in
        ``'0'``, ``'1'``, ``'2'``, in file order.

    Raises:
        ValueError: On a malformed line or an unknown flag.
    """
    rows = []
    with open(path, encoding='utf-8') as f:
        for line_no, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or parts[1] not in ('0', '1', '2'):
                raise ValueError(
                    f'{path}:{line_no}: expected "<video>.avi <0|1|2>", got '
                    f'{line.strip()!r}. Use the official split files.')
            rows.append((parts[0], parts[1]))
    return rows


def build_split(split_dir: str,
                split: int) -> Tuple[Dict[str, List[Entry]], List[str]]:
    """Build the train and val (= official test) lists of one split.

    Args:
        split_dir (str): Folder with the official split files.
        split (int): 1, 2 or 3.

    Returns:
        tuple[dict[str, list[tuple[str, int]]], list[str]]: ``{'train',
        'val'}`` lists of ``(class/video.avi, label)`` (classes in label
        order, videos in file order) and the class names in label order.
    """
    files = find_split_files(split_dir, split)
    classes = sorted(files)
    lists: Dict[str, List[Entry]] = {'train': [], 'val': []}
    for label, class_name in enumerate(classes):
        for video, flag in read_split_file(files[class_name]):
            subset = FLAG_TO_SUBSET.get(flag)
            if subset is not None:
                lists[subset].append((f'{class_name}/{video}', label))
    return lists, classes


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Build HMDB-51 split lists from the official files.')
    parser.add_argument('--split-dir', default='data/hmdb51/annotations')
    parser.add_argument('--video-dir', default='data/hmdb51/videos')
    parser.add_argument('--out-dir', default='data/hmdb51')
    parser.add_argument('--split', type=int, default=1, choices=(1, 2, 3))
    add_missing_argument(parser)
    parser.add_argument(
        '--num-classes',
        type=int,
        default=NUM_CLASSES,
        help='expected number of classes; 0 disables the check')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, List[Entry]]:
    """Run the CLI; returns the lists it wrote."""
    args = parse_args(argv)
    lists, classes = build_split(args.split_dir, args.split)
    if args.num_classes and len(classes) != args.num_classes:
        raise ValueError(
            f'Found split files for {len(classes)} classes in '
            f'{args.split_dir!r}, expected {args.num_classes}; extract all '
            'of test_train_splits.rar.')
    lists = apply_missing_policy(
        lists,
        args.video_dir,
        args.missing,
        folder_missing_message=(
            f'HMDB-51 video folder {args.video_dir!r} does not exist; '
            f'extract hmdb51_org.rar there (see {DATA_DOC}) or pass '
            '--video-dir.'),
        echo=print)
    write_split_lists(args.out_dir, lists,
                      f'hmdb51_{{subset}}_split_{args.split}_videos.txt',
                      classes, echo=print)
    return lists


if __name__ == '__main__':
    run_cli(main)
