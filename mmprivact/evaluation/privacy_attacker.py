"""A fresh 2D attacker that reads private attributes off (anonymized) frames.

The privacy-leakage protocol of SPAct (Dave et al. 2022) and Aslam &
Nasrollahi 2025: freeze the anonymizer f_A, anonymize the attacker's train
and test frames with it, train a new frame classifier from scratch on the
anonymized train frames, and score it on the anonymized test frames (cMAP
and macro-F1 for multi-label attributes, top-1 for a single label). The
same attacker on raw frames is the reference; lower is more private.
"""
import time
from dataclasses import replace
from typing import Any, Callable, Dict, Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from tqdm import tqdm

from .frame_attribute_probe import FrameAttributeProbe
from .multilabel_scores import (class_mean_average_precision, macro_f1,
                                top1_accuracy)
from .privacy_attribute_sets.base import PrivacyAttributeSplit

ARCHS = ('probe', 'resnet18')


def anonymize_frames(frames: np.ndarray, f_a: Callable,
                     batch_size: int = 64, device: str = 'cpu'
                     ) -> np.ndarray:
    """Run f_A over uint8 frames without gradients.

    Args:
        frames (np.ndarray): (N, H, W, 3) uint8 RGB.
        f_a (callable): Maps (n, 3, H, W) float RGB in [0, 1] to the same
            (e.g. from :func:`load_trained_anonymizer`); an ``nn.Module``
            is run in eval mode and its mode restored afterwards.
        batch_size (int): Frames per forward pass.
        device (str): Where f_A runs.

    Returns:
        np.ndarray: (N, H, W, 3) uint8 anonymized frames (clipped to
        [0, 1] and rounded).
    """
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f'frames must be (N, H, W, 3) uint8; got '
                         f'{frames.shape} {frames.dtype}.')
    module = f_a if isinstance(f_a, nn.Module) else None
    was_training = module.training if module is not None else False
    if module is not None:
        module.eval()
    out = np.empty_like(frames)
    try:
        with torch.no_grad():
            for i in range(0, len(frames), batch_size):
                x = torch.from_numpy(frames[i:i + batch_size]).to(device)
                x = x.permute(0, 3, 1, 2).float() / 255.0
                y = f_a(x)
                if y.shape != x.shape:
                    raise ValueError(f'f_A must keep the frame shape; got '
                                     f'{tuple(y.shape)} for '
                                     f'{tuple(x.shape)}.')
                y = (y.clamp(0, 1) * 255.0).round().to(torch.uint8)
                out[i:i + batch_size] = y.permute(0, 2, 3, 1).cpu().numpy()
    finally:
        if module is not None:
            module.train(was_training)
    return out


class _ResNet18Attacker(nn.Module):
    """MMAction2's 2D ResNet-18 (random init) + global pool + linear."""

    def __init__(self, num_outputs: int) -> None:
        super().__init__()
        from mmaction.models.backbones.resnet import ResNet

        # ConvModule initialises itself (Kaiming); no ImageNet weights.
        self.backbone = ResNet(depth=18, pretrained=None,
                               torchvision_pretrain=False)
        self.head = nn.Linear(512, num_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x).mean((2, 3)))


class PrivacyAttacker:
    """Train a fresh frame classifier on one split and score another.

    Args:
        arch (str): ``'probe'`` (:class:`FrameAttributeProbe`, fast on
            CPU) or ``'resnet18'`` (MMAction2 ResNet-18, from scratch).
        epochs (int): Passes over the training frames.
        lr (float): Peak AdamW learning rate (one-cycle schedule).
        batch_size (int): Frames per step.
        seed (int): Seeds initialisation, shuffling and augmentation.
        crop_pad (int, optional): Random-crop padding in pixels (replicate
            padding, crop back to size); None = size // 8, 0 = off.
        flip (bool): Random horizontal flips.
        weight_decay (float): AdamW weight decay.
        device (str): Training device.
        progress (bool): Show a progress bar.
    """

    def __init__(self,
                 arch: str = 'probe',
                 epochs: int = 8,
                 lr: float = 3e-3,
                 batch_size: int = 64,
                 seed: int = 0,
                 crop_pad: Optional[int] = None,
                 flip: bool = True,
                 weight_decay: float = 1e-4,
                 device: str = 'cpu',
                 progress: bool = False) -> None:
        if arch not in ARCHS:
            raise ValueError(f'arch must be one of {ARCHS}; got {arch!r}.')
        if epochs < 1 or batch_size < 1:
            raise ValueError(f'epochs and batch_size must be >= 1; got '
                             f'{epochs} and {batch_size}.')
        self.arch, self.epochs, self.lr = arch, epochs, lr
        self.batch_size, self.seed = batch_size, seed
        self.crop_pad, self.flip = crop_pad, flip
        self.weight_decay, self.device = weight_decay, device
        self.progress = progress

    def settings(self) -> Dict[str, Any]:
        """The attacker's hyper-parameters (for reports)."""
        return dict(arch=self.arch, epochs=self.epochs, lr=self.lr,
                    batch_size=self.batch_size, seed=self.seed,
                    crop_pad=self.crop_pad, flip=self.flip,
                    weight_decay=self.weight_decay)

    def build_model(self, num_outputs: int) -> nn.Module:
        """A freshly initialised attacker with ``num_outputs`` logits."""
        if self.arch == 'probe':
            return FrameAttributeProbe(num_outputs)
        return _ResNet18Attacker(num_outputs)

    @staticmethod
    def _to_input(frames: np.ndarray) -> torch.Tensor:
        return FrameAttributeProbe.to_input(frames)  # [-1, 1], NCHW

    def _augment(self, x: torch.Tensor, gen: torch.Generator
                 ) -> torch.Tensor:
        n, _, h, w = x.shape
        if self.flip:
            mask = torch.rand(n, generator=gen) < 0.5
            x = torch.where(mask[:, None, None, None], x.flip(3), x)
        pad = h // 8 if self.crop_pad is None else self.crop_pad
        if pad > 0:
            padded = F.pad(x, (pad, pad, pad, pad), mode='replicate')
            offs = torch.randint(0, 2 * pad + 1, (n, 2), generator=gen)
            x = torch.stack([
                padded[i, :, dy:dy + h, dx:dx + w]
                for i, (dy, dx) in enumerate(offs.tolist())
            ])
        return x

    def _fit(self, model: nn.Module, split: PrivacyAttributeSplit) -> None:
        x_all = self._to_input(split.frames)
        y_all = torch.from_numpy(split.targets).float()
        if split.single_label:
            y_all = y_all.argmax(1)
        gen = torch.Generator().manual_seed(self.seed)
        n = len(x_all)
        steps_per_epoch = max(1, sum(1 for s in range(0, n, self.batch_size)
                                     if min(self.batch_size, n - s) > 1))
        optim = torch.optim.AdamW(model.parameters(), lr=self.lr,
                                  weight_decay=self.weight_decay)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            optim, self.lr, total_steps=self.epochs * steps_per_epoch)
        model.train()
        bar = tqdm(total=self.epochs * steps_per_epoch, leave=False,
                   desc=f'attacker ({self.arch})', disable=not self.progress)
        for _ in range(self.epochs):
            order = torch.randperm(n, generator=gen)
            for start in range(0, n, self.batch_size):
                idx = order[start:start + self.batch_size]
                if len(idx) < 2 and n > 1:
                    continue  # BatchNorm cannot train on one frame
                x = self._augment(x_all[idx], gen).to(self.device)
                logits = model(x)
                y = y_all[idx].to(self.device)
                loss = (F.cross_entropy(logits, y) if split.single_label
                        else F.binary_cross_entropy_with_logits(logits, y))
                optim.zero_grad()
                loss.backward()
                optim.step()
                sched.step()
                bar.update()
        bar.close()

    def _predict(self, model: nn.Module, split: PrivacyAttributeSplit
                 ) -> np.ndarray:
        model.eval()
        with torch.no_grad():
            logits = torch.cat([
                model(self._to_input(split.frames[i:i + 256]).to(
                    self.device)).cpu()
                for i in range(0, len(split), 256)
            ])
        probs = (logits.softmax(1) if split.single_label
                 else logits.sigmoid())
        return probs.numpy().astype(np.float64)

    def train_and_score(self,
                        train: PrivacyAttributeSplit,
                        test: PrivacyAttributeSplit,
                        transform: Optional[Callable] = None
                        ) -> Dict[str, Any]:
        """Train on ``train``, score on ``test``.

        Args:
            train (PrivacyAttributeSplit): Attacker training frames.
            test (PrivacyAttributeSplit): Held-out frames (same attributes).
            transform (callable, optional): Applied to the uint8 frames of
                both splits first (N, S, S, 3) -> same, e.g.
                ``partial(anonymize_frames, f_a=f_A)``.

        Returns:
            dict: ``scores`` (N_test, K) probabilities (softmax for single
            label, sigmoids otherwise), ``metrics`` (see
            :func:`leakage_metrics`), ``n_train``, ``n_test``,
            ``settings`` and ``seconds``.
        """
        if train.attribute_names != test.attribute_names \
                or train.single_label != test.single_label:
            raise ValueError('train and test splits have different '
                             'attributes; load both with the same adapter '
                             'settings.')
        start = time.time()
        if transform is not None:
            train = replace(train, frames=transform(train.frames))
            test = replace(test, frames=transform(test.frames))
        with torch.random.fork_rng():
            torch.manual_seed(self.seed)
            model = self.build_model(train.num_attributes).to(self.device)
        self._fit(model, train)
        scores = self._predict(model, test)
        metrics = leakage_metrics(scores, test)
        print_log(f'privacy attacker ({self.arch}): {metrics}',
                  logger='current')
        return dict(scores=scores, metrics=metrics, n_train=len(train),
                    n_test=len(test), settings=self.settings(),
                    seconds=time.time() - start)


def leakage_metrics(scores: np.ndarray,
                    test: PrivacyAttributeSplit) -> Dict[str, Any]:
    """Leakage scores of attacker outputs on a split (fractions in [0, 1]).

    Returns:
        dict: ``cMAP``, ``per_class_AP`` (list, NaN for an attribute with
        no positive), ``macro_F1`` (sigmoids >= 0.5; for a single label
        the argmax prediction), ``chance_cMAP`` (cMAP of a constant score,
        i.e. the mean positive rate); for a single label also ``top1``,
        ``video_top1`` (scores averaged per ``group``) and ``chance_top1``
        (majority-class rate).
    """
    targets = test.targets
    cmap, ap = class_mean_average_precision(scores, targets)
    chance_cmap, _ = class_mean_average_precision(
        np.zeros_like(scores), targets)
    out: Dict[str, Any] = dict(cMAP=cmap, per_class_AP=ap.tolist(),
                               chance_cMAP=chance_cmap)
    if test.single_label:
        onehot = np.eye(scores.shape[1])[scores.argmax(1)]
        out['macro_F1'] = macro_f1(onehot, targets)
        out['top1'] = top1_accuracy(scores, targets)
        groups = np.unique(test.group)
        mean_scores = np.stack([scores[test.group == g].mean(0)
                                for g in groups])
        first = np.array([np.flatnonzero(test.group == g)[0]
                          for g in groups])
        out['video_top1'] = top1_accuracy(mean_scores, targets[first])
        out['chance_top1'] = float(
            targets.sum(0, dtype=np.float64).max() / len(targets))
    else:
        out['macro_F1'] = macro_f1(scores, targets)
    return out


def train_and_score(train: PrivacyAttributeSplit,
                    test: PrivacyAttributeSplit,
                    *,
                    arch: str = 'probe',
                    epochs: int = 8,
                    lr: float = 3e-3,
                    batch_size: int = 64,
                    seed: int = 0,
                    transform: Optional[Callable] = None,
                    **kwargs) -> Dict[str, Any]:
    """Shortcut for ``PrivacyAttacker(...).train_and_score(...)``.

    Extra keyword arguments go to :class:`PrivacyAttacker`.
    """
    attacker = PrivacyAttacker(arch=arch, epochs=epochs, lr=lr,
                               batch_size=batch_size, seed=seed, **kwargs)
    return attacker.train_and_score(train, test, transform=transform)


__all__ = ['PrivacyAttacker', 'anonymize_frames', 'leakage_metrics',
           'train_and_score']
