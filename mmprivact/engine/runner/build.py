"""Build the runner a config asks for, defaulting to the trusted one."""
from mmengine.config import Config
from mmengine.runner import Runner

from mmaction.registry import RUNNERS

DEFAULT_RUNNER_TYPE = 'TrustedCheckpointRunner'


def build_runner(cfg: Config) -> Runner:
    """Build ``cfg.runner_type`` (default :class:`TrustedCheckpointRunner`).

    Args:
        cfg (Config): A full MMEngine config.

    Returns:
        Runner: The runner, ready for ``train()`` or ``test()``.
    """
    if 'runner_type' not in cfg:
        cfg.runner_type = DEFAULT_RUNNER_TYPE
    return RUNNERS.build(cfg)
