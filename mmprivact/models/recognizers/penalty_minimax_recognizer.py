"""Penalty-driven minimax anonymization (Aslam & Nasrollahi, CVPR-W 2025)."""
import contextlib
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine import dist
from mmengine.logging import MessageHub, MMLogger
from mmengine.model import BaseModel, BaseModule
from mmengine.optim import OptimWrapperDict
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import _load_checkpoint

from ..state_dicts import branch_state_dict
from ..wrappers import average_gradients

_SCHEDULES = ('both', 'alternate')
_PENALTY_SPACES = ('normalized', 'pixel', 'feature')
_POSITIVES = ('view', 'clip')
_ADVERSARIES = ('nt_xent', 'entropy')
#: What step 1 and f_B's update log; not logged once f_A is fixed.
_GAME_LOG_KEYS = frozenset(
    ('loss_anonymizer', 'anonymizer_utility_loss', 'anonymizer_privacy_loss',
     'penalty', 'penalty_active', 'rms_change', 'rms_change_pixel',
     'loss_privacy'))
# Logged only while f_A is pre-trained as the identity map.
_PRETRAIN_LOG_KEYS = frozenset(('loss_reconstruction', ))


def _drop_logged(names: frozenset) -> bool:
    """Remove scalars named ``names`` from MMEngine's message hub.

    MMEngine's log shows a term's last value until it is logged again (and
    a resumed run restores those values), so a term no longer computed
    would go on printing its final value as if it were still trained.

    Args:
        names (frozenset): Loss names without the ``train/`` prefix.

    Returns:
        bool: Whether any scalar was removed.
    """
    scalars = MessageHub.get_current_instance().log_scalars
    stale = [key for key in scalars if key.split('/', 1)[-1] in names]
    for key in stale:
        scalars.pop(key)
    return bool(stale)


@contextlib.contextmanager
def frozen(*modules: nn.Module) -> Iterator[None]:
    """Freeze modules for one update: no gradients, statistics restored.

    The modules keep their train/eval mode (so a frozen recognizer behaves
    as it does when trained), but their parameters get no gradient and their
    buffers (BatchNorm running statistics) are put back afterwards: a frozen
    branch leaves the step exactly as it entered it.
    """
    flags = [[p.requires_grad for p in m.parameters()] for m in modules]
    buffers = [[b.detach().clone() for b in m.buffers()] for m in modules]
    for m in modules:
        m.requires_grad_(False)
    try:
        yield
    finally:
        for m, fl, bufs in zip(modules, flags, buffers):
            for p, f in zip(m.parameters(), fl):
                p.requires_grad_(f)
            with torch.no_grad():
                for b, saved in zip(m.buffers(), bufs):
                    b.copy_(saved)


def _reinitialize(module: nn.Module) -> None:
    """Draw fresh random weights for ``module``, as when it was built.

    Every layer with ``reset_parameters`` (convolutions, linear layers,
    BatchNorm and its running statistics) is reset to PyTorch's default,
    then the OpenMMLab ``init_weights`` chain runs again (MMAction2's ResNet
    applies its Kaiming / constant init there), as the runner ran it.
    """
    for m in module.modules():
        if hasattr(m, 'reset_parameters'):
            m.reset_parameters()
        if isinstance(m, BaseModule):
            m.is_init = False  # let init_weights run again
    if hasattr(module, 'init_weights'):
        module.init_weights()


@MODELS.register_module()
class PenaltyMinimaxRecognizer(BaseModel):
    """f_A (anonymizer) against f_T (action) and f_B (privacy), with a budget.

    The method of Aslam & Nasrollahi, "Balancing Privacy and Action
    Performance: A Penalty-Driven Approach to Image Anonymization"
    (arXiv 2504.14301), which extends SPAct (Dave et al. 2022):

    * f_A (``anonymizer``) maps every frame to an anonymized frame in image
      range; it is first pre-trained as an identity map (L1 reconstruction,
      ``anonymizer_pretrain_iters``).
    * f_T (``utility``) is any MMAction2 recognizer, trained with its own
      loss (cross-entropy) on f_A(x).
    * f_B (``privacy``) embeds single anonymized frames and is trained
      self-supervised with NT-Xent on two augmented views of each frame.
    * Step 1 (f_T, f_B frozen) updates f_A with
      ``L_A = w_T * L_T - w_B * L_B + lambda * L_penalty``, where
      ``L_penalty = mean over frames of max(0, RMS(x - f_A(x)) - B)`` is a
      differentiable tensor (the released code made it a Python float, so it
      never constrained f_A). ``penalty_space`` picks where RMS is measured:
      ``'normalized'`` (the recognizer's normalised input units, default),
      ``'pixel'`` ([0, 1] intensities) or ``'feature'`` (f_T's backbone
      features of x and f_A(x): the feature-space penalty the paper's text
      describes).
    * Step 2 (f_A frozen) updates f_T with ``L_T`` and f_B with ``L_B``.
    * ``schedule='both'`` runs step 1 then step 2 every iteration;
      ``'alternate'`` runs them on alternating iterations.
    * ``privacy_restart_interval`` (off by default; not in the paper)
      re-initializes f_B, with fresh random weights and an empty optimizer
      state, every that many minimax iterations: the "budget model
      restarting" of Wu et al. (ECCV 2018), so that f_A learns to defeat
      attackers at every stage of training, as the leakage evaluation's
      fresh attacker is, rather than only the f_B it co-adapted with.
    * ``privacy_ensemble`` (1 by default; not in the paper) trains K f_B's
      side by side, the "budget model ensemble" of Wu et al.: step 2 trains
      every member on the same views, and step 1 makes f_A fool the
      strongest member (the lowest NT-Xent) rather than one f_B. With
      restarts, the members restart in turn, one every
      ``privacy_restart_interval`` iterations, so each lives K intervals
      and a trained adversary is always present.
    * ``anonymizer_train_iters`` (off by default; not in the paper) ends
      the minimax game after that many iterations: from then on f_A and
      f_B stay as they are and each iteration only trains f_T on the fixed
      f_A(x), at about the cost of training f_T alone. The rest of the run
      gives the action recognizer time to converge on frames that no
      longer change, and the leakage of the final f_A is that of f_A at
      the switch.
    * ``utility_checkpoint`` (off by default; not in the paper's code)
      starts f_T from a trained recognizer's weights (a plain MMAction2
      checkpoint or f_T of a minimax one) while f_A and f_B start fresh,
      as the paper starts f_T from a pre-trained recognizer.

    Inputs come from the data preprocessor in [0, 1]
    (``ActionDataPreprocessor(mean=[0, 0, 0], std=[255, 255, 255])``), as
    (N, M, C, T, H, W) for 3D recognizers or (N, M, C, H, W) for 2D ones; f_A
    runs frame by frame; f_T gets ``(255 * f_A(x) - mean) / std``.

    Validation and test report f_T's prediction on f_A(x).

    Multi-process training (``tools/dist_train.sh``) needs
    ``model_wrapper_cfg = dict(type='TrainStepDataParallel')`` (set in our
    minimax configs): each optimizer step first averages its network's
    gradients over the ranks, so the replicas stay equal.

    Args:
        utility (dict): f_T, an MMAction2 recognizer config (its own
            ``data_preprocessor`` is not used).
        anonymizer (dict): f_A config, e.g. ``dict(type='UNetAnonymizer')``.
        privacy (dict): f_B config, e.g.
            ``dict(type='ContrastivePrivacyBranch')``.
        budget (float): ``B``. Defaults to 0.5.
        penalty_weight (float): ``lambda``. Defaults to 1.
        utility_weight (float): ``w_T``. Defaults to 1.
        privacy_weight (float): ``w_B``. Defaults to 1.
        penalty_space (str): ``'normalized'``, ``'pixel'`` or ``'feature'``.
        schedule (str): ``'both'`` or ``'alternate'``.
        anonymizer_pretrain_iters (int): Leading iterations that train f_A
            alone as an identity map (L1). Defaults to 0.
        privacy_frames_per_clip (int): Frames of each clip given to f_B.
        temperature (float): NT-Xent temperature. Defaults to 0.1.
        privacy_restart_interval (int): Re-initialize f_B every that many
            minimax iterations (after pre-training); 0 never does. With an
            ensemble, one member per interval, in turn. Defaults to 0.
        anonymizer_train_iters (int, optional): Iterations, pre-training
            included, after which f_A and f_B are no longer trained (no
            step 1, no f_B update, no f_B restart); only f_T trains on.
            Counted by the saved iteration counter, so a resumed run
            switches where an unbroken one does. None trains all three to
            the end, as the paper. Defaults to None.
        privacy_ensemble (int): Number of f_B's (K). With 1, ``privacy``
            is that f_B; with more, an ``nn.ModuleList`` of K independently
            initialized copies. Defaults to 1.
        privacy_positives (str): What f_B's NT-Xent treats as a positive
            pair. ``'view'`` (the paper): two augmented views of the same
            frame; the other frames in the batch, including the other
            frames of the same clip, are negatives. ``'clip'`` (not in the
            paper): two different frames of the same clip, one augmented
            view each, with frames of other clips as negatives. f_B is then
            taught what stays constant within a clip (who is in it, what
            they wear, the room) and not to tell one pose from the next,
            so that fooling it is meant to cost appearance rather than
            motion (on the synthetic set it did not hide identity better;
            see docs/penalty_minimax.md). Needs
            ``privacy_frames_per_clip=2``. Still label-free. Defaults to
            ``'view'``.
        privacy_adversary (str): The privacy term f_A maximizes in step 1.
            ``'nt_xent'`` (the paper): f_B's NT-Xent loss. ``'entropy'``
            (not in the paper): the entropy of f_B's softmax over which
            frame is each frame's partner
            (:meth:`NTXentLoss.matching_entropy`), the negative-entropy
            budget loss of Wu et al. (ECCV 2018). It is highest when f_B
            cannot tell frames apart and, unlike NT-Xent, bounded and not
            raised by making f_B sure of a wrong partner, so f_A gains
            nothing from perturbations that merely flip f_B's answers.
            f_B itself is always trained with NT-Xent. Defaults to
            ``'nt_xent'``.
        privacy_region_key (str, optional): A data-sample meta field
            holding a boolean mask in the inputs' layout without the
            channel axis ((M, T, H, W) per sample for 3D inputs). When
            set, f_B sees only the pixels where it is True, the rest
            filled with mid grey, in training (both steps); f_T and the
            penalty still see whole frames. With the synthetic set's
            person masks (``LoadPrivacyMask`` + ``SplitPrivacyMask``,
            packed as ``privacy_mask``, True on the figure) f_B sees the
            person and not the room, so fooling it means changing the
            person. Not in the paper, which gives f_B whole frames; on
            real data the masks would come from a person detector.
            Defaults to None (whole frames).
        privacy_region_crop (bool): With ``privacy_region_key``, also crop
            each of f_B's frames to a square around its region
            (:class:`RegionCropper`: the bounding box plus 10 %, at least
            a quarter of the frame), resampled to the frame size, before
            the views. f_B then sees the person large and centred, so it
            cannot tell frames apart by where the silhouette stands (which
            f_A cannot change) and must use how the person looks, which
            is what f_A should hide (on the synthetic set it made f_B
            stronger and f_A change less; see docs/penalty_minimax.md).
            Not in the paper. Defaults to False.
        views (dict, optional): :class:`FrameViewAugmenter` arguments.
        mean (Sequence[float]): f_T's input mean (0-255 units).
        std (Sequence[float]): f_T's input std (0-255 units).
        utility_checkpoint (str, optional): Path of a checkpoint whose f_T
            weights initialise f_T: either a plain MMAction2 recognizer
            checkpoint (keys ``backbone.*``, ``cls_head.*``) or a
            PenaltyMinimaxRecognizer checkpoint (keys ``utility.*``; only
            those are read). f_A, f_B and the iteration counter
            (``train_steps``) keep their fresh initialisation. Tensors whose
            shape differs from f_T's (typically ``cls_head.fc_cls.*`` when
            the number of classes differs) are skipped with a warning.
            Loaded in :meth:`init_weights`, so a resumed run's checkpoint
            (or ``load_from``) still takes precedence. Not in the paper's
            code; the paper starts f_T from Kinetics-pretrained weights.
            ``load_from`` cannot do this: a plain recognizer checkpoint's
            keys do not reach f_T (``utility.*``), and a minimax checkpoint
            would also load f_A, f_B and ``train_steps``. Defaults to None.
        data_preprocessor (dict, optional): Defaults to an
            ``ActionDataPreprocessor`` giving [0, 1] NCTHW clips.
        init_cfg (dict, optional): MMEngine init config.
    """

    #: Read by :class:`TrainStepDataParallel`: ``train_step`` averages
    #: gradients over ranks itself.
    averages_gradients_across_ranks = True

    def __init__(self,
                 utility: Dict,
                 anonymizer: Dict,
                 privacy: Dict,
                 budget: float = 0.5,
                 penalty_weight: float = 1.0,
                 utility_weight: float = 1.0,
                 privacy_weight: float = 1.0,
                 penalty_space: str = 'normalized',
                 schedule: str = 'both',
                 anonymizer_pretrain_iters: int = 0,
                 privacy_frames_per_clip: int = 2,
                 temperature: float = 0.1,
                 privacy_restart_interval: int = 0,
                 anonymizer_train_iters: Optional[int] = None,
                 privacy_ensemble: int = 1,
                 privacy_positives: str = 'view',
                 privacy_adversary: str = 'nt_xent',
                 privacy_region_key: Optional[str] = None,
                 privacy_region_crop: bool = False,
                 views: Optional[Dict] = None,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 utility_checkpoint: Optional[str] = None,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='ActionDataPreprocessor',
                                     mean=[0.0, 0.0, 0.0],
                                     std=[255.0, 255.0, 255.0],
                                     format_shape='NCTHW')
        with DefaultScope.overwrite_default_scope('mmaction'):
            # MMAction2's registry, also outside a runner (its recognizers
            # build their default preprocessors through the default scope).
            if isinstance(data_preprocessor, dict):
                data_preprocessor = MODELS.build(data_preprocessor)
            super().__init__(data_preprocessor=data_preprocessor,
                             init_cfg=init_cfg)
            self.utility = MODELS.build(utility)
            self.anonymizer = MODELS.build(anonymizer)
            if not isinstance(privacy_ensemble, int) or \
                    privacy_ensemble < 1:
                raise ValueError(f'privacy_ensemble must be an int >= 1 '
                                 f'(the number of f_B models); got '
                                 f'{privacy_ensemble!r}.')
            # One f_B stays a plain module, so its checkpoints keep their
            # keys; an ensemble is a ModuleList of independent draws.
            self.privacy = MODELS.build(privacy) if privacy_ensemble == 1 \
                else nn.ModuleList(MODELS.build(privacy)
                                   for _ in range(privacy_ensemble))
        if penalty_space not in _PENALTY_SPACES:
            raise ValueError(f'penalty_space must be one of '
                             f'{_PENALTY_SPACES}; got {penalty_space!r}.')
        if schedule not in _SCHEDULES:
            raise ValueError(f'schedule must be one of {_SCHEDULES}; got '
                             f'{schedule!r}.')
        if not isinstance(anonymizer_pretrain_iters, int) or \
                anonymizer_pretrain_iters < 0:
            raise ValueError(f'anonymizer_pretrain_iters must be an int >= '
                             f'0; got {anonymizer_pretrain_iters!r}.')
        if not isinstance(privacy_frames_per_clip, int) or \
                privacy_frames_per_clip < 1:
            raise ValueError(f'privacy_frames_per_clip must be an int >= 1; '
                             f'got {privacy_frames_per_clip!r}.')
        if not isinstance(privacy_restart_interval, int) or \
                privacy_restart_interval < 0:
            raise ValueError(f'privacy_restart_interval must be an int >= 0 '
                             f'(0: never restart f_B); got '
                             f'{privacy_restart_interval!r}.')
        if anonymizer_train_iters is not None and (
                not isinstance(anonymizer_train_iters, int)
                or anonymizer_train_iters < anonymizer_pretrain_iters):
            raise ValueError(
                f'anonymizer_train_iters must be None (train f_A to the '
                f'end) or an int >= anonymizer_pretrain_iters '
                f'({anonymizer_pretrain_iters}), counting iterations from '
                f'the start of training; got {anonymizer_train_iters!r}. '
                f'For "f_A fixed after epoch E" use E * iterations per '
                f'epoch.')
        if privacy_positives not in _POSITIVES:
            raise ValueError(f'privacy_positives must be one of '
                             f'{_POSITIVES}; got {privacy_positives!r}.')
        if privacy_positives == 'clip' and privacy_frames_per_clip != 2:
            raise ValueError(
                f"privacy_positives='clip' pairs two frames of each clip, "
                f'so it needs privacy_frames_per_clip=2; got '
                f'{privacy_frames_per_clip}. Set privacy_frames_per_clip=2, '
                f"or use privacy_positives='view'.")
        if privacy_adversary not in _ADVERSARIES:
            raise ValueError(f'privacy_adversary must be one of '
                             f'{_ADVERSARIES}; got {privacy_adversary!r}.')
        if utility_checkpoint is not None and (
                not isinstance(utility_checkpoint, str)
                or not utility_checkpoint):
            raise ValueError(
                f'utility_checkpoint must be None (f_T starts from its own '
                f'initialisation) or the path of a checkpoint holding f_T '
                f'weights; got {utility_checkpoint!r}.')
        if privacy_region_crop and privacy_region_key is None:
            raise ValueError(
                'privacy_region_crop=True crops f_B\'s frames around the '
                'region of privacy_region_key, which is not set. Set '
                "privacy_region_key (e.g. 'privacy_mask') or drop "
                'privacy_region_crop.')
        from ..losses import BudgetPenalty, NTXentLoss
        from ..privacy_branches import FrameViewAugmenter, RegionCropper
        self.region_cropper = RegionCropper() if privacy_region_crop \
            else None
        self.penalty = BudgetPenalty(budget)
        self.nt_xent = NTXentLoss(temperature)
        self.views = FrameViewAugmenter(**(views or {}))
        self.weights = dict(utility=float(utility_weight),
                            privacy=float(privacy_weight),
                            penalty=float(penalty_weight))
        self.penalty_space = penalty_space
        self.schedule = schedule
        self.anonymizer_pretrain_iters = anonymizer_pretrain_iters
        self.privacy_frames_per_clip = privacy_frames_per_clip
        self.privacy_restart_interval = privacy_restart_interval
        self.anonymizer_train_iters = anonymizer_train_iters
        self.privacy_ensemble = privacy_ensemble
        self.privacy_positives = privacy_positives
        self.privacy_adversary = privacy_adversary
        self.privacy_region_key = privacy_region_key
        # Only a path: the file is read in init_weights, so building the
        # model (tests, tools/test.py with a full checkpoint) needs no file.
        self.utility_checkpoint = utility_checkpoint
        self.register_buffer('utility_mean',
                             torch.tensor(mean, dtype=torch.float32))
        self.register_buffer('utility_std',
                             torch.tensor(std, dtype=torch.float32))
        # Saved with the weights, so resume continues the schedule.
        self.register_buffer('train_steps', torch.zeros((), dtype=torch.long))

    # ------------------------------------------------------------ weights
    def init_weights(self) -> None:
        """Initialise every network, then load ``utility_checkpoint`` into
        f_T if it is set.

        MMEngine's runner calls this before ``load_from`` / resume, which
        therefore still override f_T. The checkpoint is loaded on every
        call (MMEngine's own init chain runs only once per module).
        """
        super().init_weights()
        if self.utility_checkpoint is not None:
            self.load_utility_checkpoint(self.utility_checkpoint)

    def load_utility_checkpoint(self, path: str) -> None:
        """Load f_T's weights from a recognizer or minimax checkpoint.

        Args:
            path (str): A plain MMAction2 recognizer checkpoint
                (``backbone.*``, ``neck.*``, ``cls_head.*``) or a
                PenaltyMinimaxRecognizer one (only its ``utility.*``
                tensors are read).
        """
        if '://' not in path and not osp.isfile(osp.expanduser(path)):
            raise FileNotFoundError(
                f'utility_checkpoint={path!r} does not exist. Train the '
                f'recognizer on raw frames first (or download its '
                f'Kinetics-400 weights to that path), or set '
                f'model.utility_checkpoint=None to start f_T from its own '
                f'initialisation.')
        ckpt = _load_checkpoint(path, map_location='cpu')
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) \
            else ckpt
        state = {(k[len('module.'):] if k.startswith('module.') else k): v
                 for k, v in state.items()}
        found = branch_state_dict(state, 'utility.')
        if not found:
            found = {k: v for k, v in state.items()
                     if k.startswith(('backbone.', 'neck.', 'cls_head.'))}
        own = self.utility.state_dict()
        kept, wrong_shape = {}, []
        for k, v in found.items():
            if k not in own:
                continue
            if tuple(v.shape) != tuple(own[k].shape):
                wrong_shape.append(f'{k} {tuple(v.shape)} vs '
                                   f'{tuple(own[k].shape)}')
            else:
                kept[k] = v
        if not any(k.startswith('backbone.') for k in kept):
            prefixes = list(dict.fromkeys(k.split('.', 1)[0]
                                          for k in state))
            shown = ', '.join(prefixes[:8]) + \
                (', ...' if len(prefixes) > 8 else '')
            raise ValueError(
                f'utility_checkpoint {path!r} holds no f_T backbone weights '
                f'that fit this f_T: its state_dict has top-level prefixes '
                f'[{shown}]; expected a recognizer checkpoint (backbone.*, '
                f'cls_head.*) or a PenaltyMinimaxRecognizer one (utility.*) '
                f'with the same backbone architecture.')
        logger = MMLogger.get_current_instance()
        if wrong_shape:
            logger.warning(
                f'utility_checkpoint {path!r}: skipped {len(wrong_shape)} '
                f'tensor(s) whose shape differs from f_T\'s, left at their '
                f'initialisation (e.g. a Kinetics-400 head on a dataset with '
                f'another number of classes: the head is re-initialised): '
                + '; '.join(wrong_shape))
        self.utility.load_state_dict(kept, strict=False)
        missing = [k for k in own if k not in kept]
        note = ''
        if missing:
            shown = ', '.join(missing[:10]) + \
                (f', ... ({len(missing)} in all)' if len(missing) > 10
                 else '')
            note = f'; left at their initialisation: {shown}'
        logger.info(f'f_T: loaded {len(kept)} tensors from utility_checkpoint '
                    f'{path!r}{note}.')

    # ------------------------------------------------------------ frames
    @staticmethod
    def _frames(x: torch.Tensor) -> torch.Tensor:
        """(N, M, C, T, H, W) or (N, M, C, H, W) -> (frames, C, H, W)."""
        if x.dim() == 6:
            return x.transpose(2, 3).reshape(-1, *x.shape[2:3],
                                             *x.shape[-2:])
        if x.dim() == 5:
            return x.reshape(-1, *x.shape[2:])
        raise ValueError(f'expected (N, M, C, T, H, W) or (N, M, C, H, W) '
                         f'inputs in [0, 1]; got {tuple(x.shape)}.')

    @staticmethod
    def _unframes(f: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        if like.dim() == 6:
            n, m, c, t, h, w = like.shape
            return f.reshape(n, m, t, c, h, w).transpose(2, 3).contiguous()
        return f.reshape(like.shape)

    def anonymize(self, x: torch.Tensor) -> torch.Tensor:
        """f_A on every frame of a [0, 1] batch, same layout back."""
        return self._unframes(self.anonymizer(self._frames(x)), x)

    def _normalize(self, x: torch.Tensor) -> torch.Tensor:
        shape = [1, 1, -1] + [1] * (x.dim() - 3)
        return ((255.0 * x - self.utility_mean.view(shape)) /
                self.utility_std.view(shape)).contiguous()

    def _privacy_frames(self, x: torch.Tensor) -> torch.Tensor:
        """``privacy_frames_per_clip`` random frames of every clip."""
        if x.dim() == 6:
            n, m, c, t, h, w = x.shape
            clips = x.reshape(n * m, c, t, h, w).transpose(1, 2)
        else:
            clips = x  # (N, M, C, H, W): the M segments are the frames
        k = min(self.privacy_frames_per_clip, clips.shape[1])
        idx = torch.stack([torch.randperm(clips.shape[1])[:k]
                           for _ in range(clips.shape[0])]).to(x.device)
        picked = torch.gather(
            clips, 1, idx.view(*idx.shape, 1, 1, 1).expand(
                -1, -1, *clips.shape[2:]))
        return picked.reshape(-1, *clips.shape[2:])

    @staticmethod
    def _frames_per_clip(x: torch.Tensor) -> int:
        """T of (N, M, C, T, H, W), or M of (N, M, C, H, W)."""
        return x.shape[3] if x.dim() == 6 else x.shape[1]

    # ------------------------------------------------------------ losses
    def utility_loss(self, x_anon: torch.Tensor, data_samples: List):
        """f_T's own loss on f_A(x) (summed if it returns several)."""
        losses = self.utility.loss(self._normalize(x_anon), data_samples)
        return sum(v for k, v in losses.items() if 'loss' in k)

    @property
    def privacy_members(self) -> List[nn.Module]:
        """The f_B models: one, or the K members of the ensemble."""
        if isinstance(self.privacy, nn.ModuleList):
            return list(self.privacy)
        return [self.privacy]

    def privacy_region(self, data_samples: Optional[List],
                       like: torch.Tensor) -> Optional[torch.Tensor]:
        """The f_B mask of ``privacy_region_key`` as a float tensor shaped
        like ``like`` with a size-1 channel axis; None when not set."""
        if self.privacy_region_key is None:
            return None
        key = self.privacy_region_key
        masks = []
        for i, sample in enumerate(data_samples or []):
            mask = sample.metainfo.get(key)
            if mask is None:
                raise ValueError(
                    f'privacy_region_key={key!r}, but data sample {i} has '
                    f'no {key!r} meta field. Load the masks in the train '
                    f'pipeline (e.g. LoadPrivacyMask after decoding, '
                    f'SplitPrivacyMask after FormatShape) and pack them: '
                    f"PackActionInputs(meta_keys=(..., {key!r})).")
            masks.append(torch.as_tensor(mask))
        want = (like.shape[1], ) + tuple(like.shape[3:])
        if len(masks) != like.shape[0] or \
                any(tuple(m.shape) != want for m in masks):
            raise ValueError(
                f'{key!r} masks must be one {want} mask per sample (the '
                f'inputs {tuple(like.shape)} without their channel axis); '
                f'got {[tuple(m.shape) for m in masks]}.')
        return torch.stack(masks).unsqueeze(2).to(like)

    def privacy_loss(self, x_anon: torch.Tensor,
                     adversary: bool = False,
                     region: Optional[torch.Tensor] = None) -> torch.Tensor:
        """NT-Xent of every f_B on the same two views of frames of f_A(x).

        With ``privacy_positives='view'`` the positive pair is two augmented
        views of one frame; with ``'clip'`` it is one augmented view each of
        two different frames of the same clip.

        Args:
            x_anon (torch.Tensor): f_A's output, layout of the inputs.
            adversary (bool): Return the term f_A maximizes (NT-Xent, or
                the matching entropy with ``privacy_adversary='entropy'``)
                rather than f_B's training loss.
            region (torch.Tensor, optional): From :meth:`privacy_region`:
                f_B sees f_A(x) where it is 1 and mid grey elsewhere
                (cropped around it with ``privacy_region_crop``).

        Returns:
            torch.Tensor: Shape (K, ), one value per f_B.
        """
        if region is not None:
            x_anon = x_anon * region + 0.5 * (1 - region)
        clip_pairs = self.privacy_positives == 'clip'
        if clip_pairs and self._frames_per_clip(x_anon) < 2:
            raise ValueError(
                f"privacy_positives='clip' needs at least 2 frames per "
                f'clip; got inputs of shape {tuple(x_anon.shape)}. '
                f'Sample longer clips (clip_len or num_segments >= 2).')
        if region is not None and self.region_cropper is not None:
            # the region rides along as a fourth channel, so the frames
            # picked and their masks stay paired
            both = self._privacy_frames(torch.cat([x_anon, region], 2))
            frames = self.region_cropper(both[:, :-1], both[:, -1:])
        else:
            frames = self._privacy_frames(x_anon)
        if clip_pairs:
            # clip-major order: frames 0::2 and 1::2 are each clip's pair
            v1 = self.views.augment(frames[0::2])
            v2 = self.views.augment(frames[1::2])
        else:
            v1, v2 = self.views(frames)
        score = self.nt_xent
        if adversary and self.privacy_adversary == 'entropy':
            score = self.nt_xent.matching_entropy
        return torch.stack([score(m(v1), m(v2))
                            for m in self.privacy_members])

    def penalty_loss(self, x: torch.Tensor, x_anon: torch.Tensor):
        """The budget penalty in ``penalty_space``; (loss, rms, active)."""
        if self.penalty_space == 'feature':
            feat = self.utility.extract_feat(self._normalize(x),
                                             stage='backbone')[0]
            feat_anon = self.utility.extract_feat(self._normalize(x_anon),
                                                  stage='backbone')[0]
            return self.penalty(feat.detach(), feat_anon)
        ref, out = self._frames(x), self._frames(x_anon)
        if self.penalty_space == 'normalized':
            scale = (255.0 / self.utility_std).view(1, -1, 1, 1)
            ref, out = ref * scale, out * scale
        return self.penalty(ref, out)

    # ------------------------------------------------------------ steps
    @staticmethod
    def _update_params(wrapper, loss: torch.Tensor,
                       module: nn.Module) -> None:
        """``wrapper.update_params(loss)``, with ``module``'s gradients
        averaged over the ranks before the step (TrainStepDataParallel);
        the same as ``update_params`` on one process."""
        wrapper.backward(wrapper.scale_loss(loss))
        if wrapper.should_update():
            average_gradients(module.parameters())
            wrapper.step()
            wrapper.zero_grad()

    def _anonymizer_step(self, x, data_samples, wrapper) -> Dict:
        with frozen(self.utility, self.privacy), \
                wrapper.optim_context(self.anonymizer):
            x_anon = self.anonymize(x)
            l_t = self.utility_loss(x_anon, data_samples)
            # the strongest f_B (lowest NT-Xent or entropy) is the one to
            # fool
            l_b = self.privacy_loss(
                x_anon, adversary=True,
                region=self.privacy_region(data_samples, x)).min()
            l_p, rms, active = self.penalty_loss(x, x_anon)
            loss = (self.weights['utility'] * l_t -
                    self.weights['privacy'] * l_b +
                    self.weights['penalty'] * l_p)
            self._update_params(wrapper, loss, self.anonymizer)
        change = (x_anon.detach() - x).pow(2).flatten(1).mean(1).sqrt()
        return dict(loss_anonymizer=loss.detach(),
                    anonymizer_utility_loss=l_t.detach(),
                    anonymizer_privacy_loss=l_b.detach(),
                    penalty=l_p.detach(), penalty_active=active,
                    rms_change=rms.mean(), rms_change_pixel=change.mean())

    def _branches_step(self, x, data_samples, wrappers,
                       train_privacy: bool = True) -> Dict:
        with torch.no_grad():
            training = self.anonymizer.training
            self.anonymizer.eval()  # frozen: no BN statistics update
            x_anon = self.anonymize(x)
            self.anonymizer.train(training)
        with wrappers['utility'].optim_context(self.utility):
            l_t = self.utility_loss(x_anon, data_samples)
            self._update_params(wrappers['utility'], l_t, self.utility)
        if not train_privacy:
            return dict(loss_utility=l_t.detach())
        with wrappers['privacy'].optim_context(self.privacy):
            l_b = self.privacy_loss(
                x_anon, region=self.privacy_region(data_samples, x))
            # summed: each member gets the gradient of its own loss
            self._update_params(wrappers['privacy'], l_b.sum(),
                                self.privacy)
        # logged as the members' mean, comparable across ensemble sizes
        return dict(loss_utility=l_t.detach(),
                    loss_privacy=l_b.detach().mean())

    def train_step(self, data: Union[Dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One minimax iteration (see the class docstring).

        Args:
            data (dict | tuple | list): A batch from the dataloader.
            optim_wrapper (OptimWrapperDict): Keys ``anonymizer``,
                ``utility`` and ``privacy``.

        Returns:
            dict[str, torch.Tensor]: Logged losses and penalty statistics.
        """
        missing = {'anonymizer', 'utility', 'privacy'} - set(
            getattr(optim_wrapper, 'keys', lambda: [])())
        if missing:
            raise KeyError(
                f'PenaltyMinimaxRecognizer needs an OptimWrapperDict with '
                f'keys anonymizer, utility and privacy; missing '
                f'{sorted(missing)}. Use optim_wrapper=dict(constructor='
                f"'PerModuleOptimWrapperConstructor', anonymizer=dict(...), "
                f'utility=dict(...), privacy=dict(...)).')
        data = self.data_preprocessor(data, True)
        x, samples = data['inputs'], data['data_samples']
        step = int(self.train_steps)
        self.train_steps += 1
        if step < self.anonymizer_pretrain_iters:
            wrapper = optim_wrapper['anonymizer']
            with wrapper.optim_context(self.anonymizer):
                loss = F.l1_loss(self.anonymize(x), x)
                self._update_params(wrapper, loss, self.anonymizer)
            return dict(loss_reconstruction=loss.detach())
        if self.anonymizer_train_iters is not None and \
                step >= self.anonymizer_train_iters:
            # the game is over: f_A (and with it f_B) stays fixed
            self._forget_game_logs(step)
            return self._branches_step(x, samples, optim_wrapper,
                                       train_privacy=False)
        if self.anonymizer_pretrain_iters:
            _drop_logged(_PRETRAIN_LOG_KEYS)
        minimax_step = step - self.anonymizer_pretrain_iters
        if self.privacy_restart_interval and minimax_step > 0 and \
                minimax_step % self.privacy_restart_interval == 0:
            turn = minimax_step // self.privacy_restart_interval - 1
            member = turn % len(self.privacy_members)
            self.restart_privacy(optim_wrapper['privacy'], member)
            MMLogger.get_current_instance().info(
                f'f_B {member} re-initialized at minimax iteration '
                f'{minimax_step} (privacy_restart_interval='
                f'{self.privacy_restart_interval}).')
        do_a = self.schedule == 'both' or minimax_step % 2 == 0
        do_b = self.schedule == 'both' or minimax_step % 2 == 1
        log: Dict[str, torch.Tensor] = {}
        if do_a:
            log.update(self._anonymizer_step(x, samples,
                                             optim_wrapper['anonymizer']))
        if do_b:
            log.update(self._branches_step(x, samples, optim_wrapper))
        return log

    def _forget_game_logs(self, step: int) -> None:
        """Drop the minimax (and pre-training) terms from the log once
        the game is over, and say so once."""
        stale = _drop_logged(_GAME_LOG_KEYS | _PRETRAIN_LOG_KEYS)
        if stale or step == self.anonymizer_train_iters:
            MMLogger.get_current_instance().info(
                f'f_A and f_B fixed from iteration '
                f'{self.anonymizer_train_iters} on '
                f'(anonymizer_train_iters); only f_T trains now.')

    def restart_privacy(self, wrapper, member: int = 0) -> None:
        """Give an f_B fresh random weights and an empty optimizer state.

        Under distributed training every rank takes rank 0's new weights,
        so the replicas stay identical whatever their random streams.

        Args:
            wrapper (OptimWrapper): f_B's optimizer wrapper; the restarted
                model's per-parameter state (Adam's moments) is dropped, so
                it does not inherit the old one's update statistics (other
                ensemble members keep theirs).
            member (int): Which f_B of the ensemble. Defaults to 0 (the only
                one without an ensemble).
        """
        model = self.privacy_members[member]
        _reinitialize(model)
        for tensor in model.state_dict().values():
            dist.broadcast(tensor, src=0)  # no-op without a process group
        for param in model.parameters():
            wrapper.optimizer.state.pop(param, None)

    # ------------------------------------------------------------ inference
    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """``'predict'``: f_T's predictions on f_A(x); ``'tensor'``: f_A(x);
        ``'loss'``: f_T's loss on f_A(x) (training uses :meth:`train_step`).
        """
        if mode == 'predict':
            return self.utility.predict(
                self._normalize(self.anonymize(inputs)), data_samples)
        if mode == 'tensor':
            return self.anonymize(inputs)
        if mode == 'loss':
            return dict(loss_utility=self.utility_loss(
                self.anonymize(inputs), data_samples))
        raise RuntimeError(f'Invalid mode {mode!r}: use predict, tensor or '
                           f'loss.')
