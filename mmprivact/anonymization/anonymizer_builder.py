"""A picklable anonymizer factory built from a config file."""
import os.path as osp
import runpy
from typing import Any, Dict


class AnonymizerBuilder:
    """Builds an anonymizer from a config, once per worker process.

    The config is a Python file defining ``anonymizer = dict(type=...)``
    (read with :func:`runpy.run_path`, no MMEngine needed), or the dict
    itself. Workers call the builder after forking, so GL contexts and
    model sessions are never shared between processes.

    Args:
        cfg (dict): The anonymizer config.
        threads (int): torch and OpenCV threads in each worker. Defaults to
            1 (one worker per core scales best).
    """

    def __init__(self, cfg: Dict[str, Any], threads: int = 1) -> None:
        if not isinstance(cfg, dict) or 'type' not in cfg:
            raise ValueError(f'An anonymizer config needs a "type" key, got '
                             f'{cfg!r}.')
        self.cfg = cfg
        self.threads = int(threads)

    @classmethod
    def from_file(cls, path: str, threads: int = 1) -> 'AnonymizerBuilder':
        """Read ``anonymizer = dict(...)`` from a Python config file.

        Args:
            path (str): Config file.
            threads (int): Threads per worker.

        Returns:
            AnonymizerBuilder: The builder.
        """
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'--config {path!r} not found; see configs/anonymization/ '
                'for the shipped ones.')
        namespace = runpy.run_path(path)
        if 'anonymizer' not in namespace:
            raise KeyError(f'{path!r} defines no `anonymizer = dict(type='
                           "'AvatarAnonymizer', ...)`.")
        return cls(namespace['anonymizer'], threads)

    def __call__(self) -> Any:
        import cv2
        import torch

        from .anonymizer_registry import build_anonymizer
        torch.set_num_threads(self.threads)
        cv2.setNumThreads(self.threads)
        return build_anonymizer(dict(self.cfg))
