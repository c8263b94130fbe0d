"""MMEngine runner whose own checkpoints can be resumed under torch>=2.6."""
import os.path as osp
from typing import Any, Dict, Optional

import torch
import torch.distributed as torch_dist
import torch.nn as nn
from mmengine.device import get_device
from mmengine.dist import is_distributed, master_only
from mmengine.model import MMDistributedDataParallel
from mmengine.runner import Runner

from mmaction.registry import RUNNERS
from .checkpoint_trust import remove_stale_signatures, sign_checkpoint
from .scheduler_resume_check import (resumed_scheduler_warnings,
                                     scheduler_settings)


@RUNNERS.register_module()
class TrustedCheckpointRunner(Runner):
    """A :class:`mmengine.runner.Runner` that signs the checkpoints it writes.

    Behaves exactly like MMEngine's runner. After each ``save_checkpoint`` it
    writes ``<checkpoint>.sig`` (see
    :mod:`mmprivact.engine.runner.checkpoint_trust`), so ``--resume`` and
    ``tools/test.py`` can load the full checkpoint (optimizer, message hub,
    privacy accountant state) with ``weights_only=False``, while weights from
    anywhere else keep ``torch.load``'s ``weights_only=True`` protection.
    Selected with ``runner_type = 'TrustedCheckpointRunner'`` (the default of
    our ``default_runtime.py`` and of ``tools/train.py``).

    It also makes ``--launcher pytorch`` work on machines without GPUs
    (``gloo`` instead of ``nccl``, DDP without ``device_ids``), where
    MMEngine's own set-up calls CUDA and fails; useful to test multi-rank
    behaviour on a CPU.

    On ``--resume`` it warns about every parameter scheduler the checkpoint
    does not restore as configured (one added to the config, which MMEngine
    starts fresh at the resumed epoch; one whose settings the checkpoint
    overrides; states dropped), see
    :mod:`mmprivact.engine.runner.scheduler_resume_check`.
    """

    def build_param_scheduler(self, scheduler: Any) -> Any:
        """Build as MMEngine does, remembering each new scheduler's
        configured settings for the resume check."""
        built = super().build_param_scheduler(scheduler)
        if not hasattr(self, '_configured_schedulers'):
            self._configured_schedulers: Dict[int, Dict] = {}
        for items in (built.values() if isinstance(built, dict) else [built]):
            for item in items:
                self._configured_schedulers.setdefault(
                    id(item), scheduler_settings(item))
        return built

    def load_checkpoint(self, filename: str, *args, **kwargs) -> dict:
        """Load as MMEngine does, keeping the scheduler states it holds
        for the resume check."""
        checkpoint = super().load_checkpoint(filename, *args, **kwargs)
        self._loaded_scheduler_states = (filename,
                                         checkpoint.get('param_schedulers'))
        return checkpoint

    def resume(self,
               filename: str,
               resume_optimizer: bool = True,
               resume_param_scheduler: bool = True,
               map_location: Any = 'default') -> None:
        """Resume as MMEngine does, then warn about schedulers that do not
        run as the config says."""
        self._loaded_scheduler_states = (filename, None)
        super().resume(
            filename,
            resume_optimizer=resume_optimizer,
            resume_param_scheduler=resume_param_scheduler,
            map_location=map_location)
        if not resume_param_scheduler or self.param_schedulers is None:
            return
        source, saved = self._loaded_scheduler_states
        for message in resumed_scheduler_warnings(
                self.param_schedulers,
                saved,
                getattr(self, '_configured_schedulers', {}),
                epoch=self.epoch,
                iteration=self.iter,
                checkpoint=osp.basename(str(source))):
            self.logger.warning(message)

    def setup_env(self, env_cfg: dict) -> None:
        """Initialise a CPU process group when there is no GPU, then set up
        the environment as MMEngine does."""
        if (self.distributed and not is_distributed()
                and self.launcher == 'pytorch'
                and not torch.cuda.is_available()):
            dist_cfg = dict(env_cfg.get('dist_cfg', {}))
            backend = dist_cfg.pop('backend', 'gloo')
            if backend == 'nccl':  # NCCL needs GPUs; gloo runs on CPUs.
                backend = 'gloo'
            torch_dist.init_process_group(backend=backend, **dist_cfg)
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg: Optional[dict],
                   model: nn.Module) -> nn.Module:
        """Wrap as MMEngine does; on CPU, use DDP without ``device_ids``."""
        if (self.distributed and model_wrapper_cfg is None
                and get_device() == 'cpu'):
            return MMDistributedDataParallel(
                module=model,
                device_ids=None,
                broadcast_buffers=False,
                find_unused_parameters=self.cfg.get('find_unused_parameters',
                                                    False))
        return super().wrap_model(model_wrapper_cfg, model)

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, *args,
                        **kwargs) -> None:
        """Save like :meth:`Runner.save_checkpoint`, then sign the file."""
        super().save_checkpoint(out_dir, filename, *args, **kwargs)
        # CheckpointHook passes out_dir explicitly; Runner joins it as below.
        filepath = osp.join(out_dir, filename)
        if osp.isfile(filepath):  # Remote backends: nothing local to sign.
            sign_checkpoint(filepath)
            remove_stale_signatures(out_dir)
