"""Short private training runs with and without a canary, for an audit.

Each run trains the config's recognizer from scratch, in-process, with the
components that a real training run uses: the model with its
:class:`MaskDPDataPreprocessor` (mode ``maskdp``, ``dpsgd`` or ``none``),
the config's :class:`MaskDPOptimWrapper` (per-video clipping and one noise
draw per step, empty batches included), :class:`PoissonBatchSampler`
batches, and a noise multiplier calibrated by
:func:`calibrate_noise_multiplier` for the run's own steps and sample rate.
No MMEngine ``Runner`` is built (too slow for hundreds of runs); the loop
is the one ``PrivacyAccountantHook`` installs (noise-only step on an empty
batch).
"""
import copy
import functools
import math
import time
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.optim import build_optim_wrapper
from mmengine.runner import set_random_seed

from mmaction.registry import DATASETS, MODELS
from mmprivact.datasets.samplers import PoissonBatchSampler
from mmprivact.privacy.accountant import (calibrate_noise_multiplier,
                                          compute_epsilon)
from .canary_records import CANARY_KINDS, CanaryRecords
from .sweep.run_overrides import privacy_hook_index

AUDIT_MODES = ('maskdp', 'dpsgd', 'none')
# The bisection takes seconds; an audit resumed in the same process (or
# several audits of one setting) needs it once.
_calibrate = functools.lru_cache(maxsize=64)(calibrate_noise_multiplier)
WORLDS = ('with', 'without')
_CROPS = ('CenterCrop', 'ThreeCrop', 'TenCrop')


class _RecordSource:
    """What :class:`PoissonBatchSampler` needs of a sampler: a dataset."""

    def __init__(self, records: List[Dict]) -> None:
        self.dataset = records


def _hook_setting(cfg: Config, key: str):
    """``key`` of the config's PrivacyAccountantHook (None if unset)."""
    index = privacy_hook_index(cfg)
    return None if index is None else cfg.custom_hooks[index].get(key)


class CanaryAudit:
    """Trains short runs in the WITH and WITHOUT worlds and scores them.

    The training set is ``num_records`` videos of the config's train split
    (evenly spaced over the annotation list, decoded once through the
    config's *validation* pipeline, so every step sees the same pixels:
    no random crop moves the pattern). The one with the most pixels of
    the kind the canary changes becomes the canary: its WITH or WITHOUT
    version of :class:`CanaryRecords`, by world. The next one is replaced
    by the decoy (the WITHOUT version with another label) in both worlds,
    so that only the pattern can explain the canary's label. Every run
    takes ``epochs`` passes of ``round(N / E)`` Poisson steps at rate
    ``q = E / N``; the learning-rate schedule of the config is not used
    (constant learning rate).

    The membership score of a run is ``loss(WITH version) - loss(WITHOUT
    version)`` of the trained model, both with the canary's label, in eval
    mode, on full videos (the attacker may query the model with any input;
    ``mask_at_test`` is off for scoring). A lower score means "the canary
    with its pattern was trained on".

    Seeds: runs come in pairs, one per world, that share the model
    initialisation and the Poisson sampling seed; the noise seed differs
    for every run. Each run taken alone is an independent draw of the
    mechanism in its world, which is all the audit's statistics assume.

    Args:
        cfg (Config): The training config (MMAction2 / mmprivact).
        mode (str, optional): ``'maskdp'``, ``'dpsgd'`` or ``'none'``.
            Defaults to ``model.data_preprocessor.mode``.
        canary (str): ``'sensitive'`` or ``'nonsensitive'``.
        num_records (int): Training records N (canary and decoy
            included).
        expected_batch_size (int): E, so q = E / N.
        epochs (int): Expected passes over the records.
        target_epsilon (float, optional): Budget sigma is calibrated to for
            the run's steps. Defaults to the PrivacyAccountantHook's
            ``target_epsilon``, else 1.0.
        delta (float, optional): Defaults to the hook's, else 1e-5.
        accountant (str, optional): Defaults to the hook's, else ``'rdp'``.
        lr (float, optional): Override of ``optim_wrapper.optimizer.lr``.
        clip_len (int, optional): Frames per clip (``SampleFrames``).
        frame_interval (int, optional): ``SampleFrames.frame_interval``.
        size (int, optional): Frame side after ``Resize`` / crops.
        canary_label (int, optional): The canary's label. Defaults to the
            base video's label + 1 (mod classes): a label its figure does
            not explain, so only memorisation lowers its loss.
        pattern_square (int): Checkerboard square side. Defaults to 4.
        whole_video (bool): Give the whole canary video the canary's kind
            (all sensitive, or all non-sensitive; see
            :class:`CanaryRecords`): the pattern covers the whole video, the
            strongest canary. False keeps the video's own mask. Defaults to
            True.
        clipping (str, optional): Override of ``optim_wrapper.clipping``
            (``'fast'`` or ``'exact'``; same result, see
            :class:`MaskDPOptimWrapper`). Defaults to the config's.
        seed (int): Seed of everything but the noise's default.
        device (str): ``'cpu'`` or ``'cuda'``.
    """

    def __init__(self, cfg: Config, *, mode: Optional[str] = None,
                 canary: str = 'sensitive', num_records: int = 8,
                 expected_batch_size: int = 2, epochs: int = 20,
                 target_epsilon: Optional[float] = None,
                 delta: Optional[float] = None,
                 accountant: Optional[str] = None,
                 lr: Optional[float] = None,
                 clip_len: Optional[int] = None,
                 frame_interval: Optional[int] = None,
                 size: Optional[int] = None,
                 canary_label: Optional[int] = None,
                 pattern_square: int = 4,
                 whole_video: bool = True,
                 clipping: Optional[str] = None, seed: int = 0,
                 device: str = 'cpu') -> None:
        pre_cfg = dict(cfg.model.get('data_preprocessor') or {})
        mode = pre_cfg.get('mode', 'maskdp') if mode is None else mode
        if mode not in AUDIT_MODES:
            raise ValueError(f'mode must be one of {AUDIT_MODES}, got '
                             f'{mode!r}.')
        if canary not in CANARY_KINDS:
            raise ValueError(f'canary must be one of {CANARY_KINDS}, got '
                             f'{canary!r}.')
        if str(pre_cfg.get('type', '')).split('.')[-1] != (
                'MaskDPDataPreprocessor'):
            raise ValueError(
                'The audit needs model.data_preprocessor.type='
                f"'MaskDPDataPreprocessor', got {pre_cfg.get('type')!r}; "
                'use a config of configs/maskdp/.')
        if not isinstance(num_records, int) or num_records < 2:
            raise ValueError(f'num_records must be an int >= 2, got '
                             f'{num_records!r}.')
        if not isinstance(expected_batch_size, int) or not (
                1 <= expected_batch_size <= num_records):
            raise ValueError(
                'expected_batch_size must be an int in [1, num_records='
                f'{num_records}], got {expected_batch_size!r}.')
        if not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f'epochs must be an int >= 1, got {epochs!r}.')
        self.cfg = cfg
        self.mode, self.canary = mode, canary
        self.num_records = num_records
        self.expected_batch_size = expected_batch_size
        self.epochs = epochs
        self.target_epsilon = float(
            target_epsilon if target_epsilon is not None else
            _hook_setting(cfg, 'target_epsilon') or 1.0)
        self.delta = float(delta if delta is not None else
                           _hook_setting(cfg, 'delta') or 1e-5)
        self.accountant = (accountant or _hook_setting(cfg, 'accountant')
                           or 'rdp')
        self.lr, self.seed, self.device = lr, int(seed), device
        self.clip_len, self.frame_interval = clip_len, frame_interval
        self.size, self.pattern_square = size, int(pattern_square)
        self.canary_label = canary_label
        self.clipping = clipping
        self.whole_video = bool(whole_video)
        self.sample_rate = expected_batch_size / num_records
        self.steps_per_epoch = max(1, round(1 / self.sample_rate))
        self.steps = self.steps_per_epoch * epochs
        self.max_grad_norm = float(
            cfg.optim_wrapper.get('max_grad_norm', 0) or 0) or None
        self.noise_multiplier: Optional[float] = None
        self.epsilon: Optional[float] = None
        self.records: Optional[List[Dict]] = None
        self.versions: Optional[Dict[str, Dict]] = None
        self.fill: Optional[str] = None
        self.removed_gap: Optional[float] = None
        self.canary_index: Optional[int] = None
        self.decoy_index: Optional[int] = None
        self.decoy_label: Optional[int] = None
        self.decoy: Optional[Dict] = None

    # -- set-up ------------------------------------------------------------
    def _pipeline(self) -> list:
        pipeline = copy.deepcopy(
            list(self.cfg.val_dataloader.dataset.pipeline))
        for t in pipeline:
            kind = str(t.get('type', '')).split('.')[-1]
            if kind == 'SampleFrames':
                if self.clip_len is not None:
                    t['clip_len'] = self.clip_len
                if self.frame_interval is not None:
                    t['frame_interval'] = self.frame_interval
            elif self.size is not None and kind == 'Resize':
                t['scale'] = ((self.size, self.size)
                              if t.get('keep_ratio', True) is False else
                              (-1, self.size))
            elif self.size is not None and kind in _CROPS:
                t['crop_size'] = self.size
        return pipeline

    def model_cfg(self) -> dict:
        """The config's model with the audited privacy mode."""
        model = copy.deepcopy(self.cfg.model.to_dict())
        model['data_preprocessor'] = dict(model['data_preprocessor'],
                                          mode=self.mode)
        return model

    def wrapper_cfg(self, noise_seed: int) -> dict:
        """The config's optim wrapper, with this run's noise seed."""
        wrapper = copy.deepcopy(self.cfg.optim_wrapper.to_dict())
        if str(wrapper.get('type', '')).split('.')[-1] != (
                'MaskDPOptimWrapper'):
            raise ValueError(
                "The audit needs optim_wrapper.type='MaskDPOptimWrapper', "
                f"got {wrapper.get('type')!r}; use a config of "
                'configs/maskdp/.')
        wrapper['noise_seed'] = int(noise_seed)
        if self.clipping is not None:
            wrapper['clipping'] = self.clipping
        if self.lr is not None:
            wrapper['optimizer'] = dict(wrapper['optimizer'], lr=self.lr)
        return wrapper

    def prepare(self) -> None:
        """Decode the records, build the canary versions, calibrate sigma."""
        dataset_cfg = copy.deepcopy(self.cfg.train_dataloader.dataset)
        dataset_cfg['pipeline'] = self._pipeline()
        dataset = DATASETS.build(dataset_cfg)
        if len(dataset) < self.num_records:
            raise ValueError(
                f'num_records={self.num_records} but the train split has '
                f'only {len(dataset)} videos; lower num_records.')
        indices = np.linspace(0, len(dataset) - 1,
                              self.num_records).round().astype(int)
        self.records = [dataset[int(i)] for i in indices]
        self.record_files = [r['data_samples'].metainfo.get('filename')
                             for r in self.records]
        # The canary is the record with the most pixels of the kind that
        # carries the pattern (for 'nonsensitive': the largest figure).
        counts = []
        for record in self.records:
            mask = np.asarray(record['data_samples'].metainfo.get(
                'privacy_mask', np.zeros(0, dtype=bool)))
            counts.append(int((~mask).sum() if self.canary == 'sensitive'
                              else mask.sum()))
        self.canary_index = int(np.argmax(counts))
        base = self.records[self.canary_index]
        num_classes = int(self.cfg.model.cls_head.num_classes)
        if self.canary_label is None:
            self.canary_label = (int(base['data_samples'].gt_label) +
                                 1) % num_classes
        if not 0 <= int(self.canary_label) < num_classes:
            raise ValueError(
                f'canary_label must be in [0, {num_classes}) (the config\'s '
                f'cls_head.num_classes), got {self.canary_label!r}.')
        self.canary_label = int(self.canary_label)
        if num_classes < 2:
            raise ValueError('The audit needs at least 2 classes (canary and '
                             f'decoy labels), got {num_classes}.')
        preprocessor = MODELS.build(self.model_cfg()['data_preprocessor'])
        self.decoy_index = (self.canary_index + 1) % self.num_records
        self.decoy_label = (self.canary_label + 1) % num_classes
        maker = CanaryRecords(kind=self.canary, preprocessor=preprocessor,
                              label=self.canary_label,
                              decoy_label=self.decoy_label,
                              square=self.pattern_square,
                              whole_video=self.whole_video)
        with_record, without_record, self.decoy = maker.build(base)
        self.versions = dict(zip(WORLDS, (with_record, without_record)))
        self.fill = preprocessor.fill_description
        self.removed_gap = maker.removed_gap
        if self.mode != 'none':
            if self.max_grad_norm is None:
                raise ValueError('optim_wrapper.max_grad_norm is not set; '
                                 'the private modes need the clip norm C.')
            self.noise_multiplier = _calibrate(
                target_epsilon=self.target_epsilon, delta=self.delta,
                sample_rate=self.sample_rate, steps=self.steps,
                accountant=self.accountant)
            self.epsilon = compute_epsilon(
                noise_multiplier=self.noise_multiplier,
                sample_rate=self.sample_rate, steps=self.steps,
                delta=self.delta, accountant=self.accountant)
        print_log(
            f'Canary audit: mode={self.mode}, canary={self.canary} '
            f'(label {self.canary_label}, fill {self.fill}), '
            f'N={self.num_records}, q={self.sample_rate:.4f}, '
            f'{self.steps} steps, sigma={self.noise_multiplier}, '
            f'C={self.max_grad_norm}, epsilon={self.epsilon} at delta='
            f'{self.delta}', logger='current')

    def parameters(self) -> Dict:
        """Everything that defines the audited runs (for reports/resume)."""
        if self.records is None:
            raise RuntimeError('Call prepare() first.')
        shape = tuple(self.records[0]['inputs'].shape)
        return dict(
            mode=self.mode, canary=self.canary,
            num_records=self.num_records,
            expected_batch_size=self.expected_batch_size,
            sample_rate=self.sample_rate, epochs=self.epochs,
            steps_per_epoch=self.steps_per_epoch, steps=self.steps,
            noise_multiplier=self.noise_multiplier,
            max_grad_norm=self.max_grad_norm,
            target_epsilon=(self.target_epsilon if self.mode != 'none'
                            else None),
            accountant_epsilon=self.epsilon, delta=self.delta,
            accountant=self.accountant, fill=self.fill,
            canary_label=self.canary_label, decoy_label=self.decoy_label,
            pattern_square=self.pattern_square,
            whole_video=self.whole_video,
            removed_gap=self.removed_gap, input_shape=list(shape),
            lr=(self.lr if self.lr is not None else
                self.cfg.optim_wrapper.optimizer.get('lr')),
            optimizer=self.cfg.optim_wrapper.optimizer.get('type'),
            clipping=(self.clipping or
                      self.cfg.optim_wrapper.get('clipping', 'fast')),
            seed=self.seed, record_files=self.record_files,
            canary_file=self.record_files[self.canary_index],
            decoy_replaces=self.record_files[self.decoy_index])

    def guarantee(self) -> Dict:
        """The epsilon the accountant promises for *this* canary's change.

        Returns:
            dict: ``epsilon`` (None when nothing is promised), ``adjacency``
            and ``why`` (plain words).
        """
        if self.mode == 'none':
            return dict(epsilon=None, adjacency=None,
                        why='mode none: non-private training, no guarantee.')
        if self.mode == 'maskdp' and self.canary == 'nonsensitive':
            return dict(
                epsilon=None, adjacency=None,
                why=('not protected by design: the pattern lies in the '
                     'non-sensitive (public) region, which MaskDP trains on '
                     'without clipping or noise; masked adjacency does not '
                     'cover it.'))
        if self.mode == 'maskdp':
            return dict(
                epsilon=self.epsilon, adjacency='add/remove (sensitivity C)',
                why=('masked adjacency: the WITHOUT canary is its own masked '
                     'view (sensitive part removed), so the worlds differ by '
                     'one clipped term of norm <= C.'))
        # DP-SGD: the record is in both worlds with other pixels, i.e. a
        # replacement (2C), accounted with sigma / 2 (DESIGN.md).
        return dict(
            epsilon=compute_epsilon(
                noise_multiplier=self.noise_multiplier / 2,
                sample_rate=self.sample_rate, steps=self.steps,
                delta=self.delta, accountant=self.accountant),
            adjacency='replacement (sensitivity 2C, sigma / 2)',
            why=('DP-SGD clips the whole record, and the canary record is in '
                 'both worlds with different pixels: a replacement, whose '
                 'epsilon is the accountant\'s at sigma / 2.'))

    # -- runs --------------------------------------------------------------
    def _seeds(self, pair: int, world: str) -> Dict[str, int]:
        shared = np.random.SeedSequence([self.seed, pair, 0])
        noise = np.random.SeedSequence(
            [self.seed, pair, 1, WORLDS.index(world)])
        init, sampling = (int(s) for s in shared.generate_state(2) >> 1)
        return dict(init=init, sampling=sampling,
                    noise=int(noise.generate_state(1)[0] >> 1))

    def _score(self, model) -> Dict[str, float]:
        """Loss of the trained model on the canary versions."""
        model.eval()
        model.data_preprocessor.mask_at_test = False
        data = dict(inputs=[self.versions[w]['inputs'] for w in WORLDS],
                    data_samples=[copy.deepcopy(
                        self.versions[w]['data_samples']) for w in WORLDS])
        with torch.no_grad():
            data = model.data_preprocessor(data, False)
            predictions = model(**data, mode='predict')
        losses = []
        for sample in predictions:
            prob = float(sample.pred_score[self.canary_label])
            losses.append(-math.log(max(prob, 1e-30)))
        return dict(score=losses[0] - losses[1], loss_with=losses[0],
                    loss_without=losses[1])

    def run(self, pair: int, world: str) -> Dict:
        """One short training run in ``world``, and its score.

        Args:
            pair (int): Pair index (selects the seeds).
            world (str): ``'with'`` or ``'without'``.

        Returns:
            dict: ``pair``, ``world``, ``score``, ``loss_with``,
            ``loss_without``, ``canary_steps``, ``clipping`` (the path
            the wrapper used; None in mode ``none``) (steps whose batch held the
            canary), ``empty_steps``, ``seconds``.
        """
        if world not in WORLDS:
            raise ValueError(f'world must be one of {WORLDS}, got '
                             f'{world!r}.')
        if self.records is None:
            self.prepare()
        start = time.perf_counter()
        seeds = self._seeds(pair, world)
        set_random_seed(seeds['init'] % 2**31)
        model = MODELS.build(self.model_cfg())
        model.init_weights()
        model.to(self.device)
        model.train()
        wrapper = build_optim_wrapper(model, self.wrapper_cfg(seeds['noise']))
        wrapper.attach(model)
        if wrapper.is_private:
            wrapper.configure_privacy(
                noise_multiplier=self.noise_multiplier,
                expected_batch_size=self.expected_batch_size)
        records = list(self.records)
        records[self.canary_index] = self.versions[world]
        records[self.decoy_index] = self.decoy
        sampler = PoissonBatchSampler(_RecordSource(records),
                                      self.expected_batch_size,
                                      seed=seeds['sampling'])
        canary_steps = empty_steps = 0
        for epoch in range(self.epochs):
            sampler.set_epoch(epoch)
            for indices in sampler:
                if not indices:
                    wrapper.empty_batch_step()
                    empty_steps += 1
                    continue
                canary_steps += int(self.canary_index in indices)
                batch = dict(
                    inputs=[records[i]['inputs'] for i in indices],
                    data_samples=[copy.deepcopy(records[i]['data_samples'])
                                  for i in indices])
                model.train_step(batch, wrapper)
        result = dict(pair=int(pair), world=world, **self._score(model),
                      canary_steps=canary_steps, empty_steps=empty_steps,
                      clipping=wrapper.clipping_used,
                      seconds=time.perf_counter() - start)
        if wrapper.is_private and wrapper.private_steps != self.steps:
            raise RuntimeError(
                f'The run took {wrapper.private_steps} private steps, not '
                f'the {self.steps} that were accounted.')
        return result
