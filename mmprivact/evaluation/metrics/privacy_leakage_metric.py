"""cMAP and macro-F1 of a multi-label private-attribute predictor."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric

from ..multilabel_scores import class_mean_average_precision, macro_f1


def _field(sample: Any, key: str) -> np.ndarray:
    """``sample[key]`` as a float numpy vector (dict or data element)."""
    value = sample.get(key, None) if hasattr(sample, 'get') else None
    if value is None:
        raise KeyError(f'PrivacyLeakageMetric: a data sample has no '
                       f'{key!r}; the model must write pred_score (K,) and '
                       f'the dataset gt_attributes (K,) multi-hot.')
    if hasattr(value, 'detach'):  # torch.Tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64).reshape(-1)


@METRICS.register_module()
class PrivacyLeakageMetric(BaseMetric):
    """Class-mean AP (cMAP) and macro-F1 of private-attribute predictions.

    The protocol of SPAct / Aslam & Nasrollahi 2025: a privacy attacker
    predicts K binary private attributes per frame; leakage is its cMAP
    and macro-F1 on held-out (anonymized) data. Lower is more private.
    Definitions (tie handling, classes without positives) are those of
    :mod:`mmprivact.evaluation.multilabel_scores`. All values are fractions
    in [0, 1], not percent.

    Each data sample (a dict, or an MMEngine data element) must carry:

    * ``pred_score``: (K,) scores, logits when ``scores_are_logits``
      (a sigmoid is applied) or probabilities otherwise.
    * ``gt_attributes``: (K,) multi-hot ground truth.

    Args:
        scores_are_logits (bool): Apply a sigmoid to ``pred_score``.
        threshold (float): Probability threshold for F1 (``p >= t``).
        per_class (bool): Also return ``AP/<name>`` per attribute.
        attribute_names (Sequence[str], optional): Names for the per-class
            keys; defaults to the attribute indices.
        collect_device (str): ``'cpu'`` or ``'gpu'`` for distributed
            collection.
        prefix (str, optional): Key prefix; defaults to ``'privacy'``.
        collect_dir (str, optional): Temporary folder for CPU collection.
    """

    default_prefix: Optional[str] = 'privacy'

    def __init__(self,
                 scores_are_logits: bool = True,
                 threshold: float = 0.5,
                 per_class: bool = False,
                 attribute_names: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix,
                         collect_dir=collect_dir)
        self.scores_are_logits = scores_are_logits
        self.threshold = threshold
        self.per_class = per_class
        self.attribute_names = (list(attribute_names)
                                if attribute_names is not None else None)

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Keep the (score, target) pair of every sample.

        Args:
            data_batch (Any): Unused (the targets travel in the samples).
            data_samples (Sequence): Dicts or data elements with
                ``pred_score`` and ``gt_attributes``.
        """
        for sample in data_samples:
            score = _field(sample, 'pred_score')
            target = _field(sample, 'gt_attributes')
            if score.shape != target.shape:
                raise ValueError(f'pred_score has {score.size} entries but '
                                 f'gt_attributes has {target.size}.')
            self.results.append((score, target))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        """Compute cMAP, macro-F1 and (optionally) per-class AP.

        Args:
            results (list): ``(score, target)`` pairs from :meth:`process`.

        Returns:
            dict: ``cMAP`` and ``macro_F1`` (fractions), and ``AP/<name>``
            per attribute when ``per_class`` (NaN for an attribute with no
            positive sample).
        """
        scores = np.stack([r[0] for r in results])
        targets = np.stack([r[1] for r in results])
        # tanh form of the sigmoid: no overflow for large negative logits.
        probs = (0.5 * (1.0 + np.tanh(0.5 * scores))
                 if self.scores_are_logits else scores)
        cmap, ap = class_mean_average_precision(probs, targets)
        out = {'cMAP': cmap,
               'macro_F1': macro_f1(probs, targets, self.threshold)}
        if self.per_class:
            names = self.attribute_names or [str(k) for k in range(len(ap))]
            if len(names) != len(ap):
                raise ValueError(f'attribute_names has {len(names)} names '
                                 f'but the predictions have {len(ap)} '
                                 f'attributes.')
            out.update({f'AP/{n}': float(a) for n, a in zip(names, ap)})
        return out
