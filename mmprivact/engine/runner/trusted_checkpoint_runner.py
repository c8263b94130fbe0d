"""MMEngine runner whose own checkpoints can be resumed under torch>=2.6."""
import os.path as osp

from mmengine.dist import master_only
from mmengine.runner import Runner

from mmaction.registry import RUNNERS
from .checkpoint_trust import remove_stale_signatures, sign_checkpoint


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
    """

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
