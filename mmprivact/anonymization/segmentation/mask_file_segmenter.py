"""Person masks read from sidecar ``.npz`` files."""
from typing import Optional

import numpy as np

from ..clip_files import resolve_clip_file
from .person_segmenter import PersonSegmenter
from .registry import SEGMENTERS


@SEGMENTERS.register()
class MaskFileSegmenter(PersonSegmenter):
    """Reads a clip's person masks from an ``.npz`` (e.g. the synthetic set's
    ``masks/<video>.npz``, key ``mask``).

    ``source`` is the file path, or a video path / id whose stem names
    ``root/<stem><suffix>``. The array must be (T, H, W) matching the
    frames; non-bool arrays are thresholded at ``> 0`` (so 0/255 and 0/1
    masks both work).

    Args:
        key (str): Array name in the ``.npz``. Defaults to ``'mask'``.
        root (str, optional): Folder of the mask files (for ids).
        suffix (str): Defaults to ``'.npz'``.
    """

    def __init__(self,
                 key: str = 'mask',
                 root: Optional[str] = None,
                 suffix: str = '.npz') -> None:
        self.key = key
        self.root = root
        self.suffix = suffix

    def resolve_path(self, source: Optional[str]) -> str:
        """The mask file of ``source``.

        Args:
            source (str): File path or video id / path.

        Returns:
            str: Existing file path.
        """
        return resolve_clip_file(source, self.root, self.suffix, 'mask',
                                 type(self).__name__)

    def segment(self, frames: np.ndarray, source: Optional[str]) -> np.ndarray:
        """Load the masks of ``source``.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3) (for the shape check).
            source (str): Clip identifier.

        Returns:
            np.ndarray: bool (T, H, W).
        """
        path = self.resolve_path(source)
        with np.load(path) as data:
            if self.key not in data.files:
                raise KeyError(f'{path!r} has no array {self.key!r}; it has '
                               f'{data.files}. Set key= accordingly.')
            masks = np.asarray(data[self.key])
        if masks.shape != frames.shape[:3]:
            raise ValueError(f'{path!r}[{self.key!r}] has shape {masks.shape};'
                             f' expected (T, H, W) = {frames.shape[:3]} to '
                             'match the frames.')
        return masks.astype(bool) if masks.dtype == np.bool_ else masks > 0

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(key={self.key!r}, '
                f'root={self.root!r})')
