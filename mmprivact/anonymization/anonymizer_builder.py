"""A picklable anonymizer factory built from a config file."""
import ast
import copy
import os.path as osp
import runpy
from typing import Any, Dict, Optional, Sequence


def _parse_value(text: str) -> Any:
    """A Python literal (``50``, ``None``, ``(8, 8)``, ``'x'``) or the text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def apply_cfg_options(cfg: Dict[str, Any],
                      options: Sequence[str]) -> Dict[str, Any]:
    """Override keys of an anonymizer config with ``KEY=VALUE`` strings.

    Values are parsed as Python literals when possible (``50``, ``1e-3``,
    ``None``, ``True``, ``(8, 8)``, ``"'quoted'"``), else kept as strings
    (``work_dirs/x/epoch_5.pth``). Dotted keys reach into nested dicts:
    ``pose.fov_deg=50`` sets ``cfg['pose']['fov_deg']``; a missing dict on
    the way is created.

    Args:
        cfg (dict): The config; not modified.
        options (Sequence[str]): ``KEY=VALUE`` strings, applied in order.

    Returns:
        dict: A copy of ``cfg`` with the overrides.

    Raises:
        ValueError: If an option is not ``KEY=VALUE`` or a dotted key runs
            into a value that is not a dict.
    """
    cfg = copy.deepcopy(cfg)
    for option in options:
        key, sep, text = option.partition('=')
        parts = key.strip().split('.')
        if not sep or not all(parts):
            raise ValueError(
                f'--cfg-options {option!r}: expected KEY=VALUE (dotted keys '
                "for nested dicts), e.g. checkpoint=work_dirs/x/epoch_5.pth "
                'or pose.fov_deg=50.')
        node = cfg
        for depth, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                where = '.'.join(parts[:depth + 1])
                raise ValueError(
                    f'--cfg-options {option!r}: {where!r} is {node!r}, not '
                    f'a dict, so {parts[depth + 1]!r} cannot be set in it; '
                    f'override {where!r} as a whole with a dict literal, '
                    f"e.g. {where}=\"{{'type': ...}}\".")
        node[parts[-1]] = _parse_value(text)
    return cfg


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
    def from_file(cls,
                  path: str,
                  threads: int = 1,
                  cfg_options: Optional[Sequence[str]] = None
                  ) -> 'AnonymizerBuilder':
        """Read ``anonymizer = dict(...)`` from a Python config file.

        Args:
            path (str): Config file.
            threads (int): Threads per worker.
            cfg_options (Sequence[str], optional): ``KEY=VALUE`` overrides
                of the ``anonymizer`` dict (:func:`apply_cfg_options`).

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
        cfg = namespace['anonymizer']
        if cfg_options:
            if not isinstance(cfg, dict):
                raise ValueError(f'{path!r}: `anonymizer` must be a dict to '
                                 f'take --cfg-options; got {cfg!r}.')
            cfg = apply_cfg_options(cfg, cfg_options)
        return cls(cfg, threads)

    def __call__(self) -> Any:
        import cv2
        import torch

        from .anonymizer_registry import build_anonymizer
        torch.set_num_threads(self.threads)
        cv2.setNumThreads(self.threads)
        return build_anonymizer(dict(self.cfg))
