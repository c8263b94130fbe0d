"""Load a video's privacy mask and carry it through MMAction2's transforms."""
import os.path as osp
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

#: Value of the mask channel on sensitive pixels (non-sensitive: 0).
SENSITIVE = 255.0
#: Suffix of the anonymizer's sidecar masks (``tools/anonymize_videos.py``).
SIDECAR_SUFFIX = '.privacy_mask.npz'
#: Array names accepted in a mask file: the synthetic set's and the
#: anonymizer's. Both are bool (T, H, W), ``True`` = non-sensitive.
MASK_KEYS = ('mask', 'non_sensitive')
LAYOUTS = ('folders', 'sidecar')


def privacy_mask_path(filename: str, video_dir: str = 'videos',
                      mask_dir: str = 'masks') -> str:
    """Sidecar path of a video's mask: ``.../videos/x.mp4`` ->
    ``.../masks/x.npz``.

    Args:
        filename (str): Video path.
        video_dir (str): Folder name to replace (the last one that matches).
        mask_dir (str): Folder name that replaces it.

    Returns:
        str: The mask path.
    """
    parts = filename.replace('\\', '/').split('/')
    if video_dir not in parts[:-1]:
        raise ValueError(
            f'Cannot derive the privacy mask of {filename!r}: no folder '
            f'named {video_dir!r} in its path. Set LoadPrivacyMask('
            "video_dir=..., mask_dir=...) or give each record a "
            "'privacy_mask_path'.")
    i = len(parts) - 2 - parts[-2::-1].index(video_dir)
    parts[i] = mask_dir
    parts[-1] = osp.splitext(parts[-1])[0] + '.npz'
    return '/'.join(parts)


def sidecar_mask_path(filename: str) -> str:
    """Sidecar path of an anonymized video's mask: ``x/v.mp4`` ->
    ``x/v.privacy_mask.npz`` (what ``tools/anonymize_videos.py`` writes).

    Args:
        filename (str): Video path.

    Returns:
        str: The mask path.
    """
    return osp.splitext(filename)[0] + SIDECAR_SUFFIX


@TRANSFORMS.register_module()
class LoadPrivacyMask(BaseTransform):
    """Attach the privacy mask to the decoded frames as an extra channel.

    The mask file is an ``.npz`` with key ``mask`` or ``non_sensitive``:
    bool (T, H, W) over all T frames of the video, ``True`` = non-sensitive
    (e.g. avatar or synthetic pixels). Where it lives is the ``layout``:
    ``'folders'`` (the synthetic set: ``.../videos/x.mp4`` ->
    ``.../masks/x.npz``) or ``'sidecar'`` (the anonymizer's output:
    ``x.mp4`` -> ``x.privacy_mask.npz`` next to it). The frames chosen by ``frame_inds`` get a 4th
    channel that is 255 on sensitive and 0 on non-sensitive pixels, so every
    following geometric transform (Resize, RandomResizedCrop,
    MultiScaleCrop, CenterCrop, ThreeCrop, TenCrop, Flip) moves mask and
    pixels identically. :class:`SplitPrivacyMask` takes the channel off
    again before ``FormatShape``. Put no colour transform in between.

    Frames become float32 so that interpolation does not round: with
    non-negative interpolation weights (nearest, bilinear, area), an output
    pixel's channel is exactly 0 only if no sensitive pixel contributed to
    it, which is what MaskDP's masked view needs.

    Required keys: ``imgs``, ``frame_inds``, and ``privacy_mask_path`` or
    ``filename``. Added keys: ``privacy_mask_path``. Modified keys:
    ``imgs`` (H, W, 3) uint8 -> (H, W, 4) float32.

    Args:
        video_dir (str): ``layout='folders'``: folder name in video paths
            that holds the videos. Defaults to ``'videos'``.
        mask_dir (str): ``layout='folders'``: folder name that replaces it
            for the masks. Defaults to ``'masks'``.
        layout (str): ``'folders'`` (default) or ``'sidecar'``, see above.
    """

    def __init__(self, video_dir: str = 'videos',
                 mask_dir: str = 'masks',
                 layout: str = 'folders') -> None:
        if layout not in LAYOUTS:
            raise ValueError(f'LoadPrivacyMask: layout must be one of '
                             f'{LAYOUTS}, got {layout!r}.')
        self.video_dir = video_dir
        self.mask_dir = mask_dir
        self.layout = layout

    def _mask_path(self, filename: str) -> str:
        if self.layout == 'sidecar':
            return sidecar_mask_path(filename)
        return privacy_mask_path(filename, self.video_dir, self.mask_dir)

    def transform(self, results: Dict) -> Dict:
        """Load the mask of the sampled frames and stack it onto them."""
        path = results.get('privacy_mask_path') or self._mask_path(
            results['filename'])
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Privacy mask {path!r} for video '
                f'{results.get("filename")!r} not found. Masks are written '
                'by tools/data/generate_synthetic.py (synthetic set) and by '
                'tools/anonymize_videos.py (anonymized sets); check '
                'LoadPrivacyMask(layout=..., video_dir=..., mask_dir=...).')
        with np.load(path) as data:
            keys = [k for k in MASK_KEYS if k in data]
            if not keys:
                raise KeyError(f'{path!r} has none of the arrays {MASK_KEYS} '
                               f'(bool T x H x W, True = non-sensitive); it '
                               f'has {sorted(data.files)}.')
            masks = data[keys[0]]
        imgs = results['imgs']
        inds = np.asarray(results['frame_inds']).reshape(-1)
        if masks.ndim != 3 or masks.shape[1:] != imgs[0].shape[:2]:
            raise ValueError(
                f'Privacy mask {path!r} has shape {masks.shape}, but the '
                f'frames are {imgs[0].shape[:2]}; expected (T, H, W).')
        if len(inds) != len(imgs) or inds.max() >= len(masks):
            raise ValueError(
                f'Privacy mask {path!r} covers {len(masks)} frames, but '
                f'frames {inds.tolist()} were sampled.')
        results['imgs'] = [
            np.dstack([
                img.astype(np.float32),
                (~masks[i].astype(bool)).astype(np.float32) * SENSITIVE
            ]) for img, i in zip(imgs, inds)
        ]
        results['privacy_mask_path'] = path
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(video_dir={self.video_dir!r}, '
                f'mask_dir={self.mask_dir!r}, layout={self.layout!r})')


@TRANSFORMS.register_module()
class SplitPrivacyMask(BaseTransform):
    """Take the mask channel added by :class:`LoadPrivacyMask` off ``imgs``.

    A pixel is non-sensitive only if its mask channel is exactly 0, i.e.
    no sensitive source pixel was blended into it: boundary pixels mixed
    with sensitive ones count as sensitive. This is exact for nearest,
    bilinear and area interpolation (MMAction2's defaults); kernels with
    negative lobes (bicubic, lanczos) can cancel out, so use ``erode`` >= 2
    with them.

    It can run before ``FormatShape`` (on the list of (H, W, 4) images) or
    after it (on the (N, 4, T, H, W) / (N, 4, H, W) array), in which case
    the mask comes out in the model's layout, (N, T, H, W) / (N, H, W),
    ready to be packed with ``PackActionInputs(meta_keys=(...,
    'privacy_mask'))``.

    Required keys: ``imgs``. Added keys: ``privacy_mask`` (bool, True =
    non-sensitive). Modified keys: ``imgs`` (3 channels, float32).

    Args:
        erode (int): Extra pixels to mark sensitive around every sensitive
            pixel (a safety margin). Defaults to 0.
    """

    def __init__(self, erode: int = 0) -> None:
        if erode < 0:
            raise ValueError(f'erode must be >= 0, got {erode}.')
        self.erode = erode

    def transform(self, results: Dict) -> Dict:
        """Split the 4th channel into a boolean mask."""
        imgs = results['imgs']
        if isinstance(imgs, np.ndarray) and imgs.ndim in (4, 5):
            formatted = True  # after FormatShape: channels on axis 1
            if imgs.shape[1] != 4:
                raise ValueError(self._wrong_shape(imgs.shape))
            masks = imgs[:, 3] == 0
            rgb = np.ascontiguousarray(imgs[:, :3])
        else:
            formatted = False
            if imgs[0].ndim != 3 or imgs[0].shape[2] != 4:
                raise ValueError(self._wrong_shape(imgs[0].shape))
            masks = np.stack([img[..., 3] == 0 for img in imgs])
            rgb = [np.ascontiguousarray(img[..., :3]) for img in imgs]
        if self.erode:
            flat = masks.reshape((-1, ) + masks.shape[-2:])
            masks = _erode(flat, self.erode).reshape(masks.shape)
        results['imgs'] = rgb
        results['privacy_mask'] = masks
        results['privacy_mask_formatted'] = formatted
        return results

    @staticmethod
    def _wrong_shape(shape) -> str:
        return ('SplitPrivacyMask expects the 4-channel frames made by '
                f'LoadPrivacyMask, got shape {tuple(shape)}; put '
                'LoadPrivacyMask right after the decoding step and no '
                'transform that changes channels in between.')

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(erode={self.erode})'


def _erode(masks: np.ndarray, radius: int) -> np.ndarray:
    """Shrink True regions by ``radius`` pixels (square neighbourhood)."""
    out = masks.copy()
    h, w = masks.shape[1:]
    padded = np.pad(masks, ((0, 0), (radius, radius), (radius, radius)),
                    constant_values=False)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out &= padded[:, dy:dy + h, dx:dx + w]
    return out
