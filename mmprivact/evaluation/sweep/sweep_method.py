"""One method of a privacy-utility sweep: its training config and runs."""
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

from mmengine.config import Config

from .run_overrides import (SPLITS, data_root_overrides, dataset_key,
                            epsilon_overrides, format_cfg_options,
                            privacy_hook_index)

#: ``kind`` values: an ordinary (possibly private) recognizer, or a
#: penalty-minimax model whose f_A anonymizes the frames.
KINDS = ('recognizer', 'minimax')
#: Keys a method entry of the sweep config may have.
METHOD_KEYS = ('config', 'private', 'kind', 'data_root', 'test_masked_view',
               'optional', 'cfg_options')
#: Method names become folder names.
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_-]*$')
_MINIMAX_MODEL = 'PenaltyMinimaxRecognizer'
_MASKDP_PREPROCESSOR = 'MaskDPDataPreprocessor'
_PRIVATE_MODES = ('dpsgd', 'maskdp')


def resolve_path(path: str, base_dir: str) -> str:
    """``path`` made absolute against ``base_dir`` (``~`` expanded)."""
    path = osp.expanduser(str(path))
    return osp.normpath(path if osp.isabs(path) else osp.join(base_dir, path))


@dataclass
class SweepMethod:
    """A method of the sweep, validated against its training config.

    Build it with :meth:`from_entry`; ``private``, ``kind`` and
    ``test_masked_view`` are checked against the config as the runs will
    see it (after the sweep's and the method's ``cfg_options``).

    Attributes:
        name (str): The method's name in the sweep config (folder names,
            tables).
        config (str): Absolute path of its training config.
        private (bool): Runs once per (epsilon, seed) with the accountant's
            target epsilon set, else once per seed.
        kind (str): ``'recognizer'`` or ``'minimax'``.
        data_root (str): Absolute data root of every dataloader.
        test_masked_view (bool): Also test with
            ``model.data_preprocessor.mask_at_test=True``.
        optional (bool): Skipped (with the reason) instead of failing when
            its data is missing.
        cfg_options (dict): Overrides of every run of this method (the
            sweep's, then the method's own).
        mode (str | None): ``model.data_preprocessor.mode`` (``'none'``,
            ``'dpsgd'``, ``'maskdp'``) or None for other preprocessors.
        skip_reason (str | None): Why the method does not run, or None.
    """

    name: str
    config: str
    private: bool
    kind: str
    data_root: str
    test_masked_view: bool = False
    optional: bool = False
    cfg_options: Dict[str, Any] = field(default_factory=dict)
    mode: Optional[str] = None
    skip_reason: Optional[str] = None
    train_config: Optional[Config] = field(default=None, repr=False,
                                           compare=False)

    @classmethod
    def from_entry(cls, name: str, entry: Mapping, *, data_root: str,
                   cfg_options: Mapping, base_dir: str,
                   where: str) -> 'SweepMethod':
        """Validate one ``methods`` entry of a sweep config.

        Args:
            name (str): The entry's key.
            entry (Mapping): Its value, e.g. ``dict(config='configs/...',
                private=False)``.
            data_root (str): The sweep's data root (absolute), used unless
                the entry sets its own.
            cfg_options (Mapping): The sweep's overrides for every run.
            base_dir (str): Folder relative paths are resolved against.
            where (str): The sweep config file, for error messages.

        Returns:
            SweepMethod: The validated method.

        Raises:
            ValueError: On an unknown key, a bad value or a setting that
                contradicts the training config.
            FileNotFoundError: If the training config does not exist.
        """
        prefix = f'{where}: methods[{name!r}]'
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ValueError(f'{prefix}: method names must be letters, '
                             'digits, "_" or "-" (they become folder names).')
        if not isinstance(entry, Mapping):
            raise ValueError(f"{prefix} must be a dict such as dict(config="
                             f"'configs/...py'), got {entry!r}.")
        unknown = sorted(set(entry) - set(METHOD_KEYS))
        if unknown:
            raise ValueError(f'{prefix}: unknown key(s) {unknown}; allowed: '
                             f'{list(METHOD_KEYS)}.')
        if 'config' not in entry:
            raise ValueError(f"{prefix} has no 'config' (the training "
                             'config file to run).')
        config = resolve_path(entry['config'], base_dir)
        if not osp.isfile(config):
            raise FileNotFoundError(
                f'{prefix}: config {entry["config"]!r} not found (looked '
                f'for {config}; relative paths are resolved against '
                f'{base_dir}). Fix the path or run from the repository root.')
        for key in ('private', 'test_masked_view', 'optional'):
            if key in entry and not isinstance(entry[key], bool):
                raise ValueError(f'{prefix}: {key} must be True or False, '
                                 f'got {entry[key]!r}.')
        options = dict(cfg_options)
        method_options = entry.get('cfg_options') or {}
        if not isinstance(method_options, Mapping):
            raise ValueError(f'{prefix}: cfg_options must be a dict of '
                             f'dotted keys, got {method_options!r}.')
        options.update(method_options)
        try:
            format_cfg_options(options)
        except ValueError as err:
            raise ValueError(f'{prefix}: {err}') from None
        cfg = Config.fromfile(config)
        if options:
            cfg.merge_from_dict(dict(options))
        model = cfg.get('model') or {}
        inferred_kind = ('minimax'
                         if model.get('type') == _MINIMAX_MODEL else
                         'recognizer')
        kind = entry.get('kind', inferred_kind)
        if kind not in KINDS:
            raise ValueError(f'{prefix}: kind must be one of {KINDS}, got '
                             f'{kind!r}.')
        if kind != inferred_kind:
            raise ValueError(
                f"{prefix}: kind={kind!r} but the config's model is "
                f"{model.get('type')!r}; set kind={inferred_kind!r} (or "
                'leave kind out).')
        preprocessor = model.get('data_preprocessor') or {}
        mode = (preprocessor.get('mode', 'maskdp')
                if preprocessor.get('type') == _MASKDP_PREPROCESSOR else None)
        inferred_private = mode in _PRIVATE_MODES
        private = entry.get('private', inferred_private)
        if private != inferred_private:
            raise ValueError(
                f'{prefix}: private={private} but the config trains with '
                f'data_preprocessor mode={mode!r}; set private='
                f'{inferred_private} (or leave it out).')
        if private and privacy_hook_index(cfg) is None:
            raise ValueError(
                f'{prefix}: private, but its config has no '
                'PrivacyAccountantHook in custom_hooks to set epsilon on.')
        test_masked_view = entry.get('test_masked_view', False)
        if test_masked_view and preprocessor.get('type') != (
                _MASKDP_PREPROCESSOR):
            raise ValueError(
                f'{prefix}: test_masked_view=True needs model.'
                f'data_preprocessor.type={_MASKDP_PREPROCESSOR!r} (it sets '
                'mask_at_test), the config has '
                f'{preprocessor.get("type")!r}.')
        if dataset_key(cfg, 'test') is None:
            raise ValueError(f'{prefix}: the config has no test_dataloader '
                             'to evaluate the trained model on.')
        own_root = entry.get('data_root')
        if own_root is not None and not isinstance(own_root, str):
            raise ValueError(f'{prefix}: data_root must be a path, got '
                             f'{own_root!r}.')
        return cls(
            name=name,
            config=config,
            private=private,
            kind=kind,
            data_root=(resolve_path(own_root, base_dir)
                       if own_root else data_root),
            test_masked_view=test_masked_view,
            optional=entry.get('optional', False),
            cfg_options=options,
            mode=mode,
            train_config=cfg)

    # -- data --------------------------------------------------------------
    def annotation_files(self) -> Dict[str, str]:
        """Annotation file of each dataloader under :attr:`data_root`.

        Returns:
            dict: ``{split: absolute path}`` for the splits that name one.
        """
        out = {}
        for split in SPLITS:
            found = dataset_key(self.train_config, split)
            ann = found[1].get('ann_file') if found else None
            if ann:
                out[split] = ann if osp.isabs(ann) else osp.join(
                    self.data_root, ann)
        return out

    def missing_data(self) -> Optional[str]:
        """Why this method's data is not there, or None if it is.

        Returns:
            str | None: e.g. ``'data root data/x not found'``.
        """
        if not osp.isdir(self.data_root):
            return f'data root {self.data_root} not found'
        missing = [path for path in self.annotation_files().values()
                   if not osp.isfile(path)]
        if missing:
            return f'annotation file(s) {sorted(set(missing))} not found'
        return None

    # -- runs --------------------------------------------------------------
    def run_options(self, seed: int,
                    epsilon: Optional[float]) -> Dict[str, Any]:
        """Every override of one run, in the order they are applied.

        Data roots and the seed first, then the sweep's and method's
        ``cfg_options``, then the target epsilon (which must win).

        Args:
            seed (int): ``randomness.seed``.
            epsilon (float | None): Target epsilon for private methods.

        Returns:
            dict: ``{dotted key: value}``.
        """
        options = data_root_overrides(self.train_config, self.data_root)
        options['randomness.seed'] = int(seed)
        options.update(self.cfg_options)
        if self.private:
            options.update(epsilon_overrides(self.train_config, epsilon))
        return options

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready description (what the report needs to rebuild)."""
        return dict(name=self.name, config=self.config, private=self.private,
                    kind=self.kind, data_root=self.data_root,
                    test_masked_view=self.test_masked_view,
                    optional=self.optional, cfg_options=self.cfg_options,
                    mode=self.mode, skip_reason=self.skip_reason)


__all__ = ['SweepMethod', 'KINDS', 'METHOD_KEYS', 'resolve_path']
