"""Build UCF-101 split lists for ``CheckedVideoDataset`` from official files.

Reads the official ``UCF101TrainTestSplits-RecognitionTask`` files
(``classInd.txt``, ``trainlistNN.txt``, ``testlistNN.txt``) and writes the
lists MMAction2's UCF-101 configs expect (``Class/v_Class_gGG_cCC.avi
label``, 0-based labels = ``classInd`` index - 1)::

    OUT_DIR/ucf101_train_split_N_videos.txt
    OUT_DIR/ucf101_val_split_N_videos.txt     (the official test list)
    OUT_DIR/classes.txt                       line i = name of label i

Unlike MMAction2's ``tools/data/ucf101/generate_videos_filelist.sh`` (shipped
in the wheel under ``mmaction/.mim``, but written to be run from inside an
MMAction2 source checkout with hard-coded relative paths, and shuffling
without a seed), this runs from the repository root with explicit paths,
keeps the official order, and checks that every listed video exists.

Example::

    python tools/data/ucf101/build_annotations.py \\
        --ann-dir data/ucf101/annotations --video-dir data/ucf101/videos \\
        --out-dir data/ucf101 --split 1

See docs/data_preparation.md#ucf-101.
"""
import argparse
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmprivact.datasets.annotation_lists import (Entry, add_missing_argument,
                                                 apply_missing_policy, run_cli,
                                                 write_split_lists)

DATA_DOC = 'docs/data_preparation.md#ucf-101'
NUM_CLASSES = 101


def _require_file(path: str, what: str) -> None:
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'UCF-101 {what} {path!r} not found. Unzip '
            'UCF101TrainTestSplits-RecognitionTask.zip into the annotation '
            f'folder (see {DATA_DOC}) or pass --ann-dir.')


def read_class_index(path: str) -> Dict[str, int]:
    """Read ``classInd.txt`` (``"1 ApplyEyeMakeup"`` lines).

    Args:
        path (str): Path to ``classInd.txt``.

    Returns:
        dict[str, int]: Class name -> 0-based label, in file order.

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: If a line is malformed or ids are not 1..N in order.
    """
    _require_file(path, 'class index')
    classes: Dict[str, int] = {}
    with open(path, encoding='utf-8') as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[0].isdigit():
                raise ValueError(
                    f'{path}:{line_no}: expected "<id> <ClassName>", got '
                    f'{line.strip()!r}.')
            index, name = int(parts[0]), parts[1]
            if index != len(classes) + 1 or name in classes:
                raise ValueError(
                    f'{path}:{line_no}: class ids must run 1, 2, ... without '
                    f'repeats; got id {index} for {name!r} after '
                    f'{len(classes)} classes. Use the official classInd.txt.')
            classes[name] = index - 1
    return classes


def read_split_list(path: str, class_index: Dict[str, int]) -> List[Entry]:
    """Read a ``trainlistNN.txt`` or ``testlistNN.txt`` file.

    Train lines are ``Class/v_Class_gGG_cCC.avi <1-based id>``; test lines
    have no id. The label comes from the folder name via ``classInd``; a
    train id that disagrees with it is an error.

    Args:
        path (str): The split list.
        class_index (dict[str, int]): From :func:`read_class_index`.

    Returns:
        list[tuple[str, int]]: ``(relative video path, 0-based label)`` in
        file order.

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: On a malformed line, unknown class or label mismatch.
    """
    _require_file(path, 'split list')
    entries: List[Entry] = []
    with open(path, encoding='utf-8') as f:
        for line_no, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            rel_path = parts[0].replace('\\', '/')
            class_name = rel_path.split('/')[0]
            if '/' not in rel_path or class_name not in class_index:
                raise ValueError(
                    f'{path}:{line_no}: {rel_path!r} does not start with a '
                    'class folder listed in classInd.txt.')
            label = class_index[class_name]
            if len(parts) > 1 and not parts[1].isdigit():
                raise ValueError(
                    f'{path}:{line_no}: expected "<path> [<id>]", got '
                    f'{line.strip()!r}.')
            if len(parts) > 1 and int(parts[1]) - 1 != label:
                raise ValueError(
                    f'{path}:{line_no}: id {parts[1]} disagrees with '
                    f'classInd.txt ({class_name!r} is {label + 1}).')
            entries.append((rel_path, label))
    return entries


def build_split(ann_dir: str, split: int) -> Tuple[Dict[str, List[Entry]],
                                                   List[str]]:
    """Build the train and val (= official test) lists of one split.

    Args:
        ann_dir (str): Folder with ``classInd.txt`` and the split lists.
        split (int): 1, 2 or 3.

    Returns:
        tuple[dict[str, list[tuple[str, int]]], list[str]]: ``{'train',
        'val'}`` lists and the class names in label order.
    """
    if split not in (1, 2, 3):
        raise ValueError(f'UCF-101 has splits 1, 2, 3; got {split}.')
    class_index = read_class_index(osp.join(ann_dir, 'classInd.txt'))
    lists = {
        'train':
        read_split_list(
            osp.join(ann_dir, f'trainlist{split:02d}.txt'), class_index),
        'val':
        read_split_list(
            osp.join(ann_dir, f'testlist{split:02d}.txt'), class_index),
    }
    return lists, list(class_index)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Build UCF-101 split lists from the official files.')
    parser.add_argument('--ann-dir', default='data/ucf101/annotations')
    parser.add_argument('--video-dir', default='data/ucf101/videos')
    parser.add_argument('--out-dir', default='data/ucf101')
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
    lists, classes = build_split(args.ann_dir, args.split)
    if args.num_classes and len(classes) != args.num_classes:
        raise ValueError(
            f'classInd.txt in {args.ann_dir!r} lists {len(classes)} classes, '
            f'expected {args.num_classes}; use the official file.')
    lists = apply_missing_policy(
        lists,
        args.video_dir,
        args.missing,
        folder_missing_message=(
            f'UCF-101 video folder {args.video_dir!r} does not exist; '
            f'extract UCF101.rar there (see {DATA_DOC}) or pass '
            '--video-dir.'),
        echo=print)
    write_split_lists(args.out_dir, lists,
                      f'ucf101_{{subset}}_split_{args.split}_videos.txt',
                      classes, echo=print)
    return lists


if __name__ == '__main__':
    run_cli(main)
