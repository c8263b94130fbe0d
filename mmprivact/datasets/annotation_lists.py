"""Helpers shared by the list builders ``tools/data/*/build_annotations.py``.

The builders write MMAction2 ``VideoDataset`` annotation lists
(``relative/path label`` lines, 0-based labels) plus a ``classes.txt``. This
module holds what they have in common: scanning a video folder, checking that
listed videos exist, writing the files, and the command-line entry point.

Standard library only (no MMEngine / MMAction2 imports), so the functions
can be used and tested without the training stack. Messages that name a
dataset or its documentation stay in the tools and are passed in.
"""
import argparse
import os
import os.path as osp
import sys
from typing import (Callable, Dict, Iterable, List, Mapping, Optional,
                    Sequence, Tuple)

#: One list line: ``(path relative to the video folder, 0-based label)``.
Entry = Tuple[str, int]

#: Values of ``--missing``: what to do with listed videos that do not exist.
MISSING_POLICIES = ('error', 'skip', 'ignore')


def find_files(folder: str, suffix: str, *,
               not_found_message: str) -> List[str]:
    """List the files below ``folder`` whose names end with ``suffix``.

    The folder is searched recursively; sub-folders are walked in sorted
    order and the result is sorted, so the output does not depend on the
    file system's listing order.

    Args:
        folder (str): Folder to search.
        suffix (str): Required end of the file name, e.g. ``'.mp4'``
            (case-sensitive).
        not_found_message (str): Message of the error raised when ``folder``
            is not a folder; should name it and say how to create it.

    Returns:
        list[str]: Paths relative to ``folder``, ``'/'``-separated, sorted.

    Raises:
        FileNotFoundError: With ``not_found_message`` if ``folder`` is not a
            folder.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(not_found_message)
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            if name.endswith(suffix):
                found.append(
                    osp.relpath(osp.join(root, name), folder).replace(
                        os.sep, '/'))
    return sorted(found)


def missing_videos(video_dir: str, entries: Iterable[Entry]) -> List[str]:
    """Return the listed videos that are not files below ``video_dir``.

    Args:
        video_dir (str): Folder the list's paths are relative to.
        entries (Iterable[tuple[str, int]]): ``(relative path, label)``
            pairs.

    Returns:
        list[str]: The relative paths that are not existing files, in
        ``entries`` order.
    """
    return [p for p, _ in entries if not osp.isfile(osp.join(video_dir, p))]


def add_missing_argument(parser: argparse.ArgumentParser) -> None:
    """Add the ``--missing {error,skip,ignore}`` option (default ``error``).

    Its value is the ``policy`` of :func:`apply_missing_policy`.

    Args:
        parser (argparse.ArgumentParser): Parser of a list builder.
    """
    parser.add_argument(
        '--missing',
        choices=MISSING_POLICIES,
        default='error',
        help='what to do with listed videos absent from --video-dir: fail '
        '(default), drop them from the lists, or keep them unchecked')


def apply_missing_policy(
        lists: Mapping[str, Sequence[Entry]], video_dir: str, policy: str, *,
        folder_missing_message: str,
        echo: Optional[Callable[[str], None]] = None
) -> Dict[str, List[Entry]]:
    """Check that the listed videos exist, as ``--missing`` asks.

    Args:
        lists (Mapping[str, Sequence[tuple[str, int]]]): Entries per subset
            name (e.g. ``'train'``, ``'val'``).
        video_dir (str): Folder the paths are relative to.
        policy (str): One of :data:`MISSING_POLICIES`: ``'error'`` raises if
            any listed video is missing, ``'skip'`` drops the missing ones
            (reporting how many per subset to ``echo``), ``'ignore'``
            checks nothing.
        folder_missing_message (str): Message of the error raised when
            ``video_dir`` is not a folder (unless ``policy`` is
            ``'ignore'``); should name it and say how to create it.
        echo (Callable[[str], None], optional): Receives the report lines
            (the CLIs pass ``print``); silent when None.

    Returns:
        dict[str, list[tuple[str, int]]]: The lists, in the same subset
        order, without the missing videos under ``'skip'``.

    Raises:
        ValueError: If ``policy`` is not one of :data:`MISSING_POLICIES`.
        FileNotFoundError: If ``video_dir`` is not a folder, or, under
            ``'error'``, if a listed video is missing (naming up to three).
    """
    if policy not in MISSING_POLICIES:
        raise ValueError(
            f'policy must be one of {MISSING_POLICIES}, got {policy!r}.')
    checked = {subset: list(entries) for subset, entries in lists.items()}
    if policy == 'ignore':
        return checked
    if not osp.isdir(video_dir):
        raise FileNotFoundError(folder_missing_message)
    for subset, entries in checked.items():
        missing = set(missing_videos(video_dir, entries))
        if missing and policy == 'error':
            raise FileNotFoundError(
                f'{len(missing)} of {len(entries)} {subset} videos are '
                f'missing under {video_dir!r}, e.g. '
                f'{sorted(missing)[:3]}. Complete the extraction, or '
                'pass --missing skip to drop them.')
        checked[subset] = [e for e in entries if e[0] not in missing]
        if missing and echo is not None:
            echo(f'dropped {len(missing)} missing {subset} videos')
    return checked


def write_list(path: str, entries: Iterable[Entry]) -> None:
    """Write one ``relative/path label`` line per entry (UTF-8).

    Args:
        path (str): Output file; overwritten.
        entries (Iterable[tuple[str, int]]): ``(relative path, label)``
            pairs, written in this order.
    """
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(f'{rel_path} {label}\n' for rel_path, label in entries)


def write_classes(path: str, classes: Iterable[str]) -> None:
    """Write one class name per line, so line ``i`` names label ``i``.

    Args:
        path (str): Output file; overwritten.
        classes (Iterable[str]): Class names in label order.
    """
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(f'{name}\n' for name in classes)


def write_split_lists(out_dir: str,
                      lists: Mapping[str, Sequence[Entry]],
                      file_name: str,
                      classes: Iterable[str],
                      echo: Optional[Callable[[str], None]] = None
                      ) -> List[str]:
    """Write every subset's list and ``classes.txt`` into ``out_dir``.

    Creates ``out_dir`` if needed and reports ``<file>: <n> videos`` for
    each list written to ``echo``.

    Args:
        out_dir (str): Output folder.
        lists (Mapping[str, Sequence[tuple[str, int]]]): Entries per subset,
            written in mapping order.
        file_name (str): List file name with a ``{subset}`` field, e.g.
            ``'ntu60_xsub_{subset}_videos.txt'``.
        classes (Iterable[str]): Class names in label order, written to
            ``out_dir/classes.txt``.
        echo (Callable[[str], None], optional): Receives the report lines
            (the CLIs pass ``print``); silent when None.

    Returns:
        list[str]: Paths of the subset lists written, in ``lists`` order.
    """
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for subset, entries in lists.items():
        out = osp.join(out_dir, file_name.format(subset=subset))
        write_list(out, entries)
        if echo is not None:
            echo(f'{out}: {len(entries)} videos')
        written.append(out)
    write_classes(osp.join(out_dir, 'classes.txt'), classes)
    return written


def run_cli(main: Callable[[], object]) -> None:
    """Run a builder's ``main()``, turning its expected errors into exits.

    A ``FileNotFoundError`` or ``ValueError`` (missing data, malformed
    files) exits with status 1 and ``error: <message>`` on stderr instead
    of a traceback; other exceptions propagate.

    Args:
        main (Callable[[], object]): The builder's entry point, called
            without arguments (it parses ``sys.argv``).
    """
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'error: {err}')
