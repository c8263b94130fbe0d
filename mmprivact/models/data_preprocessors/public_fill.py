"""Public fill images for the masked view: procedural, per-video textures.

A texture here is drawn from a random generator seeded by a public seed and
a video's key (its file name or index), never from any pixel of a record, so
putting it in place of sensitive pixels reveals nothing about them.
"""
import hashlib
from collections import OrderedDict
from typing import Mapping, Tuple

import numpy as np

from mmprivact.datasets.synthetic.appearance import make_background

#: Meta keys that name a video, in order of preference.
VIDEO_KEY_FIELDS = ('filename', 'sample_idx')

# make_background needs at least this many pixels per side.
_MIN_SIDE = 3


def video_key(metainfo: Mapping, index: int = 0) -> str:
    """A stable string naming the video of one data sample.

    Prefers ``filename`` (the path :class:`mmaction.datasets.VideoDataset`
    builds as ``data_prefix['video'] + line``, so the same data root gives
    the same key on every rank and in every epoch), else ``sample_idx``
    (the video's index in the dataset). Both reach the data sample only if
    listed in ``PackActionInputs(meta_keys=...)``.

    Args:
        metainfo (Mapping): The data sample's metainfo.
        index (int): Position of the sample in its batch, for the error
            message. Defaults to 0.

    Returns:
        str: ``'filename:<path>'`` or ``'sample_idx:<index>'``.

    Raises:
        KeyError: If neither meta key is present.
    """
    for field in VIDEO_KEY_FIELDS:
        value = metainfo.get(field)
        if value is not None:
            return f'{field}:{value}'
    raise KeyError(
        f'Data sample {index} has neither filename nor sample_idx in its '
        "metainfo, needed by fill='public_texture'. Add 'filename' (or "
        "'sample_idx') to PackActionInputs(meta_keys=(..., 'filename')) in "
        'the pipeline.')


def texture_seed(seed: int, key: str) -> int:
    """A 64-bit generator seed from the public seed and a video key.

    Uses BLAKE2b, so it is the same in every process and run (unlike
    Python's salted ``hash``).

    Args:
        seed (int): Public seed of the fill.
        key (str): Video key, see :func:`video_key`.

    Returns:
        int: Seed for :func:`numpy.random.default_rng`.
    """
    digest = hashlib.blake2b(f'{seed}\0{key}'.encode('utf-8'),
                             digest_size=8).digest()
    return int.from_bytes(digest, 'little')


def make_public_texture(seed: int, key: str, height: int,
                        width: int) -> np.ndarray:
    """A random indoor-like RGB image, a function of its arguments only.

    Built by :func:`mmprivact.datasets.synthetic.appearance.make_background`
    (wall, floor and a few objects, horizon drawn at random between a third
    and two thirds of the height). Sides below 3 pixels are cropped from a
    3-pixel image.

    Args:
        seed (int): Public seed of the fill.
        key (str): Video key, see :func:`video_key`.
        height (int): Image height in pixels.
        width (int): Image width in pixels.

    Returns:
        np.ndarray: (height, width, 3) uint8 RGB.
    """
    if height < 1 or width < 1:
        raise ValueError(f'Texture size must be positive, got '
                         f'{height}x{width}.')
    rng = np.random.default_rng(texture_seed(seed, key))
    h, w = max(height, _MIN_SIDE), max(width, _MIN_SIDE)
    horizon = int(rng.integers(h // 3, 2 * h // 3 + 1))
    image = make_background(rng, h, w, horizon)[:height, :width]
    return np.round(image).astype(np.uint8)


class PublicTextureBank:
    """Per-video public textures with a bounded least-recently-used cache.

    Args:
        seed (int): Public seed of the fill. Defaults to 0.
        max_entries (int): Textures kept in memory (each ``3*H*W`` bytes,
            about 150 KB at 224x224). Defaults to 4096.
    """

    def __init__(self, seed: int = 0, max_entries: int = 4096) -> None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f'seed must be an int, got {seed!r}.')
        if max_entries < 0:
            raise ValueError(f'max_entries must be >= 0, got {max_entries}.')
        self.seed = int(seed)
        self.max_entries = int(max_entries)
        self._cache: OrderedDict[Tuple[str, int, int],
                                 np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cache)

    def texture(self, key: str, height: int, width: int) -> np.ndarray:
        """The (read-only) texture of one video at one size.

        Args:
            key (str): Video key, see :func:`video_key`.
            height (int): Image height in pixels.
            width (int): Image width in pixels.

        Returns:
            np.ndarray: (height, width, 3) uint8 RGB, shared with the cache.
        """
        entry: Tuple[str, int, int] = (key, int(height), int(width))
        image = self._cache.get(entry)
        if image is not None:
            self._cache.move_to_end(entry)
            return image
        image = make_public_texture(self.seed, key, height, width)
        image.flags.writeable = False
        if self.max_entries > 0:
            self._cache[entry] = image
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return image
