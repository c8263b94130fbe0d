"""A framework-free registry of interchangeable backends for one stage.

The avatar pipeline (:mod:`mmprivact.anonymization`) must not import
MMEngine, yet its backends are chosen from config dicts the OpenMMLab way
(``dict(type='TemporalBackgroundInpainter', max_frames=64)``). Each stage
owns one :class:`StageRegistry`.
"""
from typing import Any, Callable, Dict, Mapping, Optional


class StageRegistry:
    """Maps backend names to classes and builds them from config dicts.

    Args:
        stage (str): Stage name used in messages, e.g. ``'inpainting'``.

    Example:
        >>> INPAINTERS = StageRegistry('inpainting')
        >>> @INPAINTERS.register()
        ... class MyInpainter:
        ...     def __init__(self, radius=3):
        ...         self.radius = radius
        >>> INPAINTERS.build(dict(type='MyInpainter', radius=5)).radius
        5
    """

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self._classes: Dict[str, type] = {}

    def register(self, name: Optional[str] = None) -> Callable[[type], type]:
        """Class decorator registering a backend under ``name``.

        Args:
            name (str, optional): Registered name. Defaults to the class name.

        Returns:
            Callable[[type], type]: The decorator.
        """

        def decorator(cls: type) -> type:
            key = name or cls.__name__
            if key in self._classes and self._classes[key] is not cls:
                raise KeyError(f'{key!r} is already registered as a '
                               f'{self.stage} backend.')
            self._classes[key] = cls
            return cls

        return decorator

    def get(self, name: str) -> type:
        """The class registered under ``name``.

        Args:
            name (str): Registered name.

        Returns:
            type: The backend class.
        """
        if name not in self._classes:
            raise KeyError(
                f'Unknown {self.stage} backend {name!r}; choose one of '
                f'{sorted(self._classes)}.')
        return self._classes[name]

    def build(self, cfg: Any) -> Any:
        """Build a backend from ``dict(type=NAME, **kwargs)``.

        An object that is already built (not a mapping) is returned as is,
        so callers may pass either a config or an instance.

        Args:
            cfg (Mapping | object): Config with a ``type`` key, or a backend.

        Returns:
            object: The backend instance.
        """
        if not isinstance(cfg, Mapping):
            return cfg
        if 'type' not in cfg:
            raise KeyError(f'A {self.stage} config needs a "type" key naming '
                           f'one of {sorted(self._classes)}; got {dict(cfg)}.')
        kwargs = dict(cfg)
        cls = self.get(kwargs.pop('type'))
        return cls(**kwargs)

    def __contains__(self, name: str) -> bool:
        return name in self._classes

    def __repr__(self) -> str:
        return f'StageRegistry({self.stage!r}, {sorted(self._classes)})'
