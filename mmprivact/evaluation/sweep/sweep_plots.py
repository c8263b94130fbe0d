"""The sweep report's plots (matplotlib, no global backend change)."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from .sweep_results import SweepResults

_MARKERS = 'osD^v<>phX*'


def _figure(width: float, height: float):
    """A figure with an Agg canvas (pyplot and its global state unused)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: str) -> None:
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)


def plot_top1_vs_epsilon(results: SweepResults, path: str,
                         chance: Optional[float] = None) -> None:
    """Test top-1 against epsilon, mean +- std over seeds.

    Private methods are lines over epsilon (error bars: sample std over
    seeds; the masked test view dashed), non-private methods horizontal
    lines with a +- std band, chance a thin grey line.

    Args:
        results (SweepResults): The sweep's rows.
        path (str): Output ``.png``.
        chance (float, optional): Chance-level top-1 (a fraction).
    """
    fig = _figure(6.4, 4.2)
    ax = fig.subplots()
    colors = [f'C{i}' for i in range(10)]
    stats = {
        metric: results.aggregate(metric)
        for metric in ('top1', 'top1_masked_view')
    }
    methods = results.methods() or [
        dict(name=n) for n in dict.fromkeys(r['method'] for r in results.rows)
    ]
    for i, method in enumerate(methods):
        name, color = method['name'], colors[i % len(colors)]
        for metric, style in (('top1', '-'), ('top1_masked_view', '--')):
            points = sorted(
                (s for s in stats[metric] if s['method'] == name),
                key=lambda s: (s['target_epsilon'] is not None,
                               s['target_epsilon'] or 0))
            if not points:
                continue
            label = name + (' (masked test view)'
                            if metric == 'top1_masked_view' else '')
            if points[0]['target_epsilon'] is None:
                mean, std = points[0]['mean'], points[0]['std'] or 0.0
                ax.axhline(100 * mean, color=color, ls=style if style != '-'
                           else ':', lw=1.5, label=f'{label}, no DP')
                if std:
                    ax.axhspan(100 * (mean - std), 100 * (mean + std),
                               color=color, alpha=0.12)
                continue
            ax.errorbar([p['target_epsilon'] for p in points],
                        [100 * p['mean'] for p in points],
                        yerr=[100 * (p['std'] or 0.0) for p in points],
                        fmt=_MARKERS[i % len(_MARKERS)] + style, color=color,
                        capsize=3, label=label)
    if chance is not None:
        ax.axhline(100 * chance, color='lightgrey', lw=0.9,
                   label=f'chance ({100 * chance:.1f} %)')
    epsilons = results.epsilons()
    if epsilons:
        ax.set_xscale('log', base=2)
        ax.set_xticks(epsilons, [f'{e:g}' for e in epsilons])
        ax.set_xlim(min(epsilons) / 1.4, max(epsilons) * 1.4)
    delta = sorted({r['delta'] for r in results.done()
                    if r.get('delta') is not None and r.get('private')})
    ax.set_xlabel('target epsilon' + (
        f' (delta = {delta[0]:g})' if len(delta) == 1 else ''))
    ax.set_ylabel('test top-1 (%)')
    ax.set_ylim(0, 100)
    ax.set_title('Privacy vs utility (mean ± std over seeds)')
    ax.legend(fontsize=7, loc='best')
    _save(fig, path)


def class_order(class_names: Sequence[str],
                train_counts: Optional[Sequence[int]]) -> List[int]:
    """Class indices by training frequency, most frequent first (ties by
    index); index order without frequencies."""
    indices = list(range(len(class_names)))
    if not train_counts or len(train_counts) < len(class_names):
        return indices
    return sorted(indices, key=lambda k: (-train_counts[k], k))


def per_class_change(results: SweepResults, method: str, epsilon: float,
                     reference: str) -> Dict[str, float]:
    """Per-class top-1 of ``method`` at ``epsilon`` minus the reference's,
    means over seeds (classes both have)."""
    ours = results.per_class_mean(method, epsilon)
    ref = results.per_class_mean(reference, None)
    return {name: ours[name] - ref[name] for name in ours if name in ref}


def plot_per_class_change(results: SweepResults, path: str, *,
                          reference: str, methods: Sequence[str],
                          class_names: Sequence[str],
                          train_counts: Optional[Sequence[int]]) -> bool:
    """Per-class accuracy change against non-private training (bars).

    One panel per epsilon, one bar colour per private method, classes
    sorted by training frequency (most frequent left) with the frequency
    drawn on a second axis, as Figure 5 of the MaskDP paper.

    Args:
        results (SweepResults): The sweep's rows.
        path (str): Output ``.png``.
        reference (str): The non-private method to compare with.
        methods (Sequence[str]): Private methods to show.
        class_names (Sequence[str]): Class names in index order.
        train_counts (Sequence[int], optional): Training videos per class.

    Returns:
        bool: False (and nothing written) when there is nothing to show.
    """
    epsilons = results.epsilons()
    if not epsilons or not methods or not results.per_class_mean(
            reference, None):
        return False
    order = class_order(class_names, train_counts)
    names = [class_names[k] for k in order]
    fig = _figure(max(5.0, 0.6 * len(names) + 2), 3.2 * len(epsilons))
    axes = fig.subplots(len(epsilons), 1, squeeze=False)[:, 0]
    width = 0.8 / len(methods)
    for ax, eps in zip(axes, epsilons):
        for j, method in enumerate(methods):
            change = per_class_change(results, method, eps, reference)
            if not change:
                continue  # no finished run of this method at this epsilon
            xs = [k + (j - (len(methods) - 1) / 2) * width
                  for k in range(len(names)) if names[k] in change]
            ys = [100 * change[n] for n in names if n in change]
            ax.bar(xs, ys, width=width, color=f'C{j}', label=method)
        ax.axhline(0, color='black', lw=0.8)
        ax.set_xticks(range(len(names)), names, rotation=45, ha='right',
                      fontsize=7)
        ax.set_ylabel(f'top-1 change (pp)\nvs {reference}', fontsize=8)
        ax.set_title(f'epsilon = {eps:g}', fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc='lower left')
        if train_counts and len(train_counts) >= len(class_names):
            twin = ax.twinx()
            twin.plot(range(len(names)), [train_counts[k] for k in order],
                      'k.--', lw=0.8, ms=4, alpha=0.6)
            twin.set_ylabel('training videos', fontsize=8)
            twin.set_ylim(0, max(train_counts) * 1.15 or 1)
    _save(fig, path)
    return True


__all__ = ['plot_top1_vs_epsilon', 'plot_per_class_change',
           'per_class_change', 'class_order']
