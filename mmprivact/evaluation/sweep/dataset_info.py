"""Class names and training-class frequencies of a sweep method's data."""
import logging
import os.path as osp
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Optional

from mmengine.logging import print_log

from .run_overrides import dataset_key

#: File with one class name per line, next to the annotation lists.
CLASSES_FILE = 'classes.txt'


def read_label_counts(ann_file: str, dataset_type: str = '') -> Counter:
    """How many videos of each label an MMAction2 annotation list holds.

    Lines are ``path label [label ...]`` (``VideoDataset``) or ``path
    total_frames label [...]`` (``RawframeDataset``, recognised from
    ``dataset_type``).

    Args:
        ann_file (str): The annotation list.
        dataset_type (str): The dataset's registered type.

    Returns:
        Counter: ``{label: videos}``.

    Raises:
        ValueError: If a line has no integer label.
    """
    first_label = 2 if 'Rawframe' in dataset_type else 1
    counts: Counter = Counter()
    with open(ann_file) as f:
        for number, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            try:
                labels = [int(p) for p in parts[first_label:]]
            except ValueError:
                labels = []
            if not labels:
                raise ValueError(f'{ann_file}:{number}: no integer label in '
                                 f'{line.strip()!r}.')
            counts.update(labels)
    return counts


@dataclass
class DatasetInfo:
    """What the report needs to know about one data root.

    Attributes:
        data_root (str): The data root.
        class_names (list[str] | None): From ``<data_root>/classes.txt``.
        train_ann_file (str | None): The training annotation list.
        train_class_counts (list[int] | None): Training videos per class
            index (None when the list could not be read).
    """

    data_root: str
    class_names: Optional[List[str]] = None
    train_ann_file: Optional[str] = None
    train_class_counts: Optional[List[int]] = None

    @classmethod
    def from_config(cls, cfg: Mapping, data_root: str) -> 'DatasetInfo':
        """Read class names and training frequencies for ``data_root``.

        Args:
            cfg (Mapping): The method's training config.
            data_root (str): Its data root.

        Returns:
            DatasetInfo: Missing pieces are None (logged as a warning).
        """
        info = cls(data_root=data_root)
        names_file = osp.join(data_root, CLASSES_FILE)
        if osp.isfile(names_file):
            with open(names_file) as f:
                info.class_names = [line.strip() for line in f
                                    if line.strip()]
        found = dataset_key(cfg, 'train')
        ann = found[1].get('ann_file') if found else None
        if not ann:
            return info
        info.train_ann_file = ann if osp.isabs(ann) else osp.join(
            data_root, ann)
        try:
            counts = read_label_counts(info.train_ann_file,
                                       str(found[1].get('type', '')))
        except (OSError, ValueError) as err:
            print_log(f'Sweep: no class frequencies for {data_root}: {err}',
                      logger='current', level=logging.WARNING)
            return info
        size = max(len(info.class_names or []), max(counts, default=-1) + 1)
        info.train_class_counts = [counts.get(k, 0) for k in range(size)]
        return info

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


__all__ = ['DatasetInfo', 'read_label_counts', 'CLASSES_FILE']
