"""A MediaPipe Tasks pose-landmarker bundle made from the wheel's own models.

MediaPipe's Tasks ``PoseLandmarker`` (the API that finds several people)
loads a ``.task`` file: a zip of ``pose_detector.tflite`` and
``pose_landmarks_detector.tflite`` with TFLite metadata saying how to
normalise the input image. Google's bundle is a download; mediapipe 0.10.21
ships the same two networks for its legacy Pose solution
(``modules/pose_detection/pose_detection.tflite``,
``modules/pose_landmark/pose_landmark_full.tflite``) without that metadata.
:func:`pose_landmarker_bundle` adds the metadata (the normalisation the
legacy graphs use: detector ``[-1, 1]``, landmarks ``[0, 1]``) with
mediapipe's own metadata writer and zips them: offline, nothing downloaded.
"""
import hashlib
import os
import os.path as osp
import zipfile
from typing import Optional

#: member name in the bundle -> (path inside the mediapipe package,
#: normalisation mean, std) of the input image.
_MODELS = {
    'pose_detector.tflite':
    ('modules/pose_detection/pose_detection.tflite', 127.5, 127.5),
    'pose_landmarks_detector.tflite':
    ('modules/pose_landmark/pose_landmark_full.tflite', 0.0, 255.0),
}


def bundle_cache_dir() -> str:
    """Folder the bundle is cached in.

    ``$MMPRIVACT_HOME/mediapipe`` if ``MMPRIVACT_HOME`` is set, else
    ``~/.cache/mmprivact/mediapipe``.

    Returns:
        str: The folder (not created here).
    """
    home = os.environ.get('MMPRIVACT_HOME') or osp.join(
        osp.expanduser('~'), '.cache', 'mmprivact')
    return osp.join(home, 'mediapipe')


def _with_image_metadata(path: str, mean: float, std: float) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import (
        metadata_writer, writer_utils)
    with open(path, 'rb') as f:
        model = bytearray(f.read())
    writer = metadata_writer.MetadataWriter.create(model).add_general_info(
        osp.basename(path)).add_image_input([mean], [std])
    for k in range(len(writer_utils.get_output_tensor_types(model))):
        writer.add_feature_output(name=f'output_{k}')
    return bytes(writer.populate()[0])


def pose_landmarker_bundle(cache_dir: Optional[str] = None) -> str:
    """Path of a pose-landmarker ``.task`` built from the bundled models.

    Built once per mediapipe install (the file name carries a hash of the
    two source models) and written atomically.

    Args:
        cache_dir (str, optional): Where to keep it; defaults to
            :func:`bundle_cache_dir`.

    Returns:
        str: The ``.task`` file.

    Raises:
        FileNotFoundError: If the installed mediapipe lacks one of the
            models (a mediapipe other than 0.10.21, see ENVIRONMENT.md).
    """
    import mediapipe
    root = osp.dirname(mediapipe.__file__)
    sources = {}
    digest = hashlib.sha256()
    for member, (rel, _, _) in _MODELS.items():
        path = osp.join(root, rel)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path}: the pose model bundled with mediapipe 0.10.21 is '
                f'missing (mediapipe {mediapipe.__version__} is installed). '
                f'Reinstall the pinned version: bash tools/setup.sh.')
        sources[member] = path
        with open(path, 'rb') as f:
            digest.update(f.read())
    folder = cache_dir or bundle_cache_dir()
    target = osp.join(folder,
                      f'pose_landmarker_full_{digest.hexdigest()[:12]}.task')
    if osp.isfile(target):
        return target
    os.makedirs(folder, exist_ok=True)
    tmp = f'{target}.{os.getpid()}.tmp'
    with zipfile.ZipFile(tmp, 'w') as bundle:
        for member, path in sources.items():
            _, mean, std = _MODELS[member]
            bundle.writestr(member, _with_image_metadata(path, mean, std))
    os.replace(tmp, target)
    return target
