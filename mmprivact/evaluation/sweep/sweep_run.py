"""One grid point of a sweep: a method, a seed and (if private) an epsilon."""
import os.path as osp
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from .run_overrides import format_cfg_options
from .sweep_method import SweepMethod


@dataclass(frozen=True)
class SweepRun:
    """A training + test run of the grid.

    Attributes:
        method (SweepMethod): What to train.
        seed (int): Training seed (``randomness.seed``).
        target_epsilon (float | None): Target epsilon of a private method,
            None for a non-private one.
    """

    method: SweepMethod
    seed: int
    target_epsilon: Optional[float] = None

    @property
    def name(self) -> str:
        """str: Folder name, ``<method>_eps<e>_seed<s>`` (private) or
        ``<method>_seed<s>`` (non-private)."""
        if self.target_epsilon is None:
            return f'{self.method.name}_seed{self.seed}'
        return (f'{self.method.name}_eps{self.target_epsilon:g}'
                f'_seed{self.seed}')

    def run_dir(self, out_dir: str) -> str:
        """The run's work dir, ``OUT/runs/<name>``."""
        return osp.join(out_dir, 'runs', self.name)

    @property
    def options(self) -> Dict[str, Any]:
        """dict: Every override of this run (see
        :meth:`SweepMethod.run_options`)."""
        return self.method.run_options(self.seed, self.target_epsilon)

    @property
    def cfg_options(self) -> List[str]:
        """list[str]: :attr:`options` as ``--cfg-options`` arguments."""
        return format_cfg_options(self.options)

    def cfg_options_relative_to(self, cwd: str) -> List[str]:
        """:attr:`cfg_options` with every data root under ``cwd`` written
        relative to it (for commands run in ``cwd``).

        Args:
            cwd (str): The commands' working directory.

        Returns:
            list[str]: ``--cfg-options`` arguments.
        """
        options = dict(self.options)
        root = osp.abspath(cwd)
        for key, value in options.items():
            if (key.endswith('.data_root') and isinstance(value, str)
                    and osp.isabs(value)
                    and osp.commonpath([root, value]) == root):
                options[key] = osp.relpath(value, root)
        return format_cfg_options(options)

    @property
    def views(self) -> List[str]:
        """list[str]: Test views, ``'full'`` and, with
        ``test_masked_view``, ``'masked_view'``."""
        return ['full', 'masked_view'
                ] if self.method.test_masked_view else ['full']


__all__ = ['SweepRun']
