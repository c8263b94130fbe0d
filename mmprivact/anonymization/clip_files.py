"""Per-clip helpers: the file (skeleton, mask) that belongs to a video, and
the video's stable avatar seed."""
import hashlib
import os
import os.path as osp
from typing import Optional


def resolve_clip_file(source: Optional[str], root: Optional[str],
                      suffix: str, what: str, owner: str) -> str:
    """The ``what`` file of a clip.

    ``source`` is that file itself (an existing path ending in ``suffix``),
    or a video path / id whose stem names ``<root>/<stem><suffix>``. A
    video path is never taken for the file: only our suffix is.

    Args:
        source (str, optional): File path, or video path / id.
        root (str, optional): Folder of the files, for video paths / ids.
        suffix (str): File name ending, e.g. ``'.npz'``.
        what (str): What the file is, for messages (``'skeleton'``).
        owner (str): The backend asking, for messages.

    Returns:
        str: Existing file path.
    """
    if source is None:
        raise ValueError(f'{owner} needs source= (the {what} file path or '
                         'the video id); got None.')
    source = os.fspath(source)
    if osp.isfile(source) and source.endswith(suffix):
        return source
    if root is not None:
        stem = osp.splitext(osp.basename(source))[0]
        path = osp.join(root, stem + suffix)
        if osp.isfile(path):
            return path
        raise FileNotFoundError(
            f'No {what} file for source {source!r}: {path!r} does not '
            f'exist. Check root={root!r} and suffix={suffix!r}.')
    raise FileNotFoundError(
        f'{what.capitalize()} file {source!r} does not exist; pass an '
        'existing path or set root= to resolve video ids.')


def video_seed(key: str) -> int:
    """A stable per-video seed from its path or id: the same video gets the
    same avatar on every run, epoch, worker, shard and machine.

    Args:
        key (str): The video's path (as the caller names it) or id.

    Returns:
        int: A 32-bit seed.
    """
    digest = hashlib.blake2b(key.encode('utf-8'), digest_size=4)
    return int.from_bytes(digest.digest(), 'little')
