"""MMAction2 ``VideoDataset`` with errors that name the missing or bad file."""
import os.path as osp
from typing import List

from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS

DEFAULT_DATA_DOC = 'docs/data_preparation.md'


@DATASETS.register_module()
class CheckedVideoDataset(VideoDataset):
    """:class:`mmaction.datasets.VideoDataset` that fails clearly.

    Same annotation format and arguments as ``VideoDataset`` (one
    ``relative/path.mp4 label`` per line), plus:

    * a missing annotation list or video folder raises ``FileNotFoundError``
      naming the expected path and the documentation section that explains
      how to prepare the data;
    * a video that is missing or cannot be decoded raises ``RuntimeError``
      naming the file, instead of a bare decoder traceback.

    Args:
        data_doc (str): Where the data preparation for this dataset is
            documented; quoted in error messages.
            Defaults to ``'docs/data_preparation.md'``.
        **kwargs: Forwarded to :class:`mmaction.datasets.VideoDataset`.
    """

    def __init__(self, *args, data_doc: str = DEFAULT_DATA_DOC,
                 **kwargs) -> None:
        self.data_doc = data_doc
        super().__init__(*args, **kwargs)

    def _missing(self, what: str, path: str) -> FileNotFoundError:
        return FileNotFoundError(
            f'{type(self).__name__}: {what} not found at {path!r} '
            f'(data_root={self.data_root!r}). Prepare the data as described '
            f'in {self.data_doc}, or point the config at it with '
            "--cfg-options train_dataloader.dataset.data_root=... (and the "
            'same for val/test).')

    def load_data_list(self) -> List[dict]:
        """Check the annotation list and video folder, then load the list."""
        if not osp.isfile(self.ann_file):
            raise self._missing('annotation list', self.ann_file)
        video_dir = self.data_prefix.get('video')
        if video_dir and not osp.isdir(video_dir):
            raise self._missing('video folder', video_dir)
        return super().load_data_list()

    def prepare_data(self, idx: int):
        """Run the pipeline; re-raise failures with the video's path."""
        data_info = self.get_data_info(idx)
        filename = data_info.get('filename', '?')
        if not osp.isfile(filename):
            raise RuntimeError(
                f'Video file {filename!r} (sample {idx} of '
                f'{self.ann_file!r}) does not exist. Restore it, or remove '
                f'its line from the annotation list; see {self.data_doc}.')
        try:
            return self.pipeline(data_info)  # as BaseDataset.prepare_data
        except Exception as err:
            raise RuntimeError(
                f'Failed to load video {filename!r} (sample {idx} of '
                f'{self.ann_file!r}): {type(err).__name__}: {err}. The file '
                'may be truncated or not a video; re-download or regenerate '
                'it, or remove its line from the annotation list.') from err
