"""Command-line overrides of one sweep run, found in its training config.

The sweep trains every grid point with ``tools/train.py CONFIG
--cfg-options key=value ...``. These helpers find the keys to override in
the *loaded* config (the ``PrivacyAccountantHook`` wherever it sits in
``custom_hooks``, the innermost dataset of each dataloader, through
wrappers such as ``RepeatDataset``) and write values in the form MMEngine's
``DictAction`` parses back to the same value.
"""
import numbers
from typing import Any, Dict, List, Mapping, Optional, Tuple

from mmengine.config import DictAction

#: Registered name of the accountant hook whose budget the sweep sets.
PRIVACY_HOOK = 'PrivacyAccountantHook'
#: Dataloaders whose data root the sweep overrides (when present).
SPLITS = ('train', 'val', 'test')
# Characters DictAction would read as structure (or strip) inside a string.
_SPECIAL = set(',[]()\'" =')


def privacy_hook_index(cfg: Mapping) -> Optional[int]:
    """Position of the ``PrivacyAccountantHook`` in ``cfg.custom_hooks``.

    The type may carry a registry scope (``'mmprivact.PrivacyAccountantHook'``).

    Args:
        cfg (Mapping): A loaded training config.

    Returns:
        int | None: The index, or None if the config has no such hook.

    Raises:
        ValueError: If there is more than one.
    """
    hooks = cfg.get('custom_hooks') or []
    found = [i for i, hook in enumerate(hooks)
             if isinstance(hook, Mapping)
             and str(hook.get('type', '')).split('.')[-1] == PRIVACY_HOOK]
    if len(found) > 1:
        raise ValueError(
            f'{getattr(cfg, "filename", "config")}: {len(found)} '
            f'{PRIVACY_HOOK}s in custom_hooks (at {found}); keep one.')
    return found[0] if found else None


def epsilon_overrides(cfg: Mapping, epsilon: float) -> Dict[str, Any]:
    """Overrides that make the config's accountant target ``epsilon``.

    Sets ``custom_hooks.<i>.target_epsilon`` and clears
    ``noise_multiplier`` / ``max_epsilon`` if the config sets them (the
    hook takes exactly one of ``noise_multiplier`` and ``target_epsilon``).

    Args:
        cfg (Mapping): A loaded training config.
        epsilon (float): Target epsilon.

    Returns:
        dict: ``{dotted key: value}``.

    Raises:
        KeyError: If the config has no ``PrivacyAccountantHook``.
    """
    index = privacy_hook_index(cfg)
    if index is None:
        raise KeyError(
            f'{getattr(cfg, "filename", "config")}: no {PRIVACY_HOOK} in '
            'custom_hooks, so the sweep cannot set its target epsilon. Use '
            'a private config (e.g. configs/maskdp/) or set private=False '
            'for this method.')
    hook = cfg['custom_hooks'][index]
    prefix = f'custom_hooks.{index}'
    out: Dict[str, Any] = {f'{prefix}.target_epsilon': float(epsilon)}
    for key in ('noise_multiplier', 'max_epsilon'):
        if hook.get(key) is not None:
            out[f'{prefix}.{key}'] = None
    return out


def dataset_key(cfg: Mapping, split: str) -> Optional[Tuple[str, Mapping]]:
    """Dotted path and config of a dataloader's innermost dataset.

    Args:
        cfg (Mapping): A loaded training config.
        split (str): ``'train'``, ``'val'`` or ``'test'``.

    Returns:
        tuple[str, Mapping] | None: e.g. ``('train_dataloader.dataset',
        {...})`` or, through a ``RepeatDataset``,
        ``('train_dataloader.dataset.dataset', {...})``; None if the config
        has no such dataloader.
    """
    loader = cfg.get(f'{split}_dataloader')
    if not isinstance(loader, Mapping) or not isinstance(
            loader.get('dataset'), Mapping):
        return None
    key, dataset = f'{split}_dataloader.dataset', loader['dataset']
    while isinstance(dataset.get('dataset'), Mapping):
        key, dataset = key + '.dataset', dataset['dataset']
    return key, dataset


def data_root_overrides(cfg: Mapping, data_root: str) -> Dict[str, Any]:
    """Overrides pointing every dataloader of ``cfg`` at ``data_root``.

    Args:
        cfg (Mapping): A loaded training config.
        data_root (str): The data root.

    Returns:
        dict: ``{'<split>_dataloader[.dataset...].dataset.data_root':
        data_root}`` for each dataloader the config has.
    """
    out = {}
    for split in SPLITS:
        found = dataset_key(cfg, split)
        if found is not None:
            out[f'{found[0]}.data_root'] = data_root
    return out


def _format_value(value: Any, where: str) -> str:
    if value is None or isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        if not value or _SPECIAL & set(value) or value in ('None', 'True',
                                                           'False'):
            raise ValueError(
                f'{where}: the string {value!r} cannot be passed through '
                "--cfg-options (empty, a keyword, or contains one of , [ ] "
                "( ) ' \" = or a space); set it in a config file that "
                'inherits the method config instead.')
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError(
            f'{where}: the string {value!r} would be read back as a number '
            'by --cfg-options; set it in a config file instead.')
    if isinstance(value, (list, tuple)):
        inner = ','.join(_format_value(v, where) for v in value)
        if isinstance(value, tuple):
            return f'({inner},)' if len(value) == 1 else f'({inner})'
        return f'[{inner}]'
    raise ValueError(
        f'{where}: a {type(value).__name__} value cannot be passed through '
        '--cfg-options; give dotted keys instead, e.g. '
        "{'model.data_preprocessor.fill': 'constant'} rather than "
        "{'model': dict(...)}.")


def format_cfg_options(options: Mapping[str, Any]) -> List[str]:
    """``key=value`` strings for ``--cfg-options`` that parse back exactly.

    Args:
        options (Mapping[str, Any]): Dotted keys to values (None, bool,
            numbers, strings without separators, lists / tuples of these).

    Returns:
        list[str]: One ``key=value`` per option, in order.

    Raises:
        ValueError: If a key or value cannot be expressed on the command
            line (the message names it and says what to do instead).
    """
    out = []
    for key, value in options.items():
        if not isinstance(key, str) or not key or _SPECIAL & set(key):
            raise ValueError(f'cfg_options key {key!r} must be a dotted '
                             "name such as 'optim_wrapper.optimizer.lr'.")
        text = _format_value(value, f'cfg_options[{key!r}]')
        parsed = DictAction._parse_iterable(text)
        if parsed != value or (type(parsed) is not type(value)
                               and not isinstance(value, numbers.Number)):
            raise ValueError(
                f'cfg_options[{key!r}] = {value!r} would be read back by '
                f'--cfg-options as {parsed!r}; set it in a config file that '
                'inherits the method config instead.')
        out.append(f'{key}={text}')
    return out


__all__ = [
    'PRIVACY_HOOK', 'SPLITS', 'privacy_hook_index', 'epsilon_overrides',
    'dataset_key', 'data_root_overrides', 'format_cfg_options'
]
