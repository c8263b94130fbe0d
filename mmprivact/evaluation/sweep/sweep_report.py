"""The privacy-utility report of a sweep: tables, plots, Markdown and HTML."""
import logging
import os
import os.path as osp
import time
from typing import Any, Dict, List, Optional, Tuple

from mmengine.logging import print_log

from .report_document import ReportDocument
from .sweep_plots import (class_order, per_class_change,
                          plot_per_class_change, plot_top1_vs_epsilon)
from .sweep_results import SweepResults

TOP1_PNG = 'top1_vs_epsilon.png'
PER_CLASS_PNG = 'per_class_change.png'
EXAMPLES_PNG = 'example_frames.png'
REPORT_MD = 'report.md'
REPORT_HTML = 'report.html'


def _num(value: Any, spec: str) -> str:
    return '-' if value is None else format(value, spec)


def _pct(value: Optional[float]) -> Optional[float]:
    return None if value is None else 100 * value


def _last_line(text: Optional[str]) -> str:
    lines = [line for line in (text or '').strip().splitlines() if line]
    return lines[-1] if lines else 'no error message'


def format_stat(stat: Optional[Dict[str, Any]], unit: str = ' %') -> str:
    """``'55.0 %'`` (one seed) or ``'55.0 ± 3.2 % (n=3)'``; ``'-'`` if
    None. Values are fractions, shown in percent."""
    if stat is None:
        return '-'
    if stat['std'] is None:
        return f"{100 * stat['mean']:.1f}{unit}"
    return (f"{100 * stat['mean']:.1f} ± {100 * stat['std']:.1f}{unit} "
            f"(n={stat['n']})")


class SweepReport:
    """Writes ``report.md``, ``report.html`` and the figures of a sweep.

    Sections: a plain-language summary; (a) top-1 against epsilon per
    method, mean ± sample std over seeds (table + plot with the
    non-private reference as a horizontal line and the chance level); (b)
    per-class top-1 change against the non-private reference for every
    private method at each epsilon, classes sorted by training frequency;
    (c) example frames per anonymization method; (d) every run's exact
    privacy parameters (from its ``privacy.json``); failed and skipped runs.

    Args:
        results (SweepResults): The sweep's rows and description.
        out_dir (str): Where the report and figures go.
    """

    def __init__(self, results: SweepResults, out_dir: str) -> None:
        self.results = results
        self.out_dir = osp.abspath(out_dir)
        sweep = results.meta.get('sweep') or {}
        self.reference: Optional[str] = sweep.get('reference')
        self.data_root: Optional[str] = sweep.get('data_root')
        dataset = (results.meta.get('datasets') or {}).get(
            self.data_root) or {}
        self.class_names: Optional[List[str]] = dataset.get('class_names')
        self.train_counts: Optional[List[int]] = dataset.get(
            'train_class_counts')
        if not self.class_names:
            for row in results.done():
                if row.get('per_class_top1'):
                    self.class_names = list(row['per_class_top1'])
                    break

    # -- pieces -------------------------------------------------------------
    @property
    def chance(self) -> Optional[float]:
        """float | None: 1 / number of classes."""
        return 1.0 / len(self.class_names) if self.class_names else None

    def _method_names(self) -> List[str]:
        names = [m['name'] for m in self.results.methods()]
        for row in self.results.rows:
            if row['method'] not in names:
                names.append(row['method'])
        return names

    def private_methods(self) -> List[str]:
        """Private methods with rows, MaskDP-mode ones first."""
        private = [m for m in self._method_names()
                   if any(r['method'] == m and r.get('private')
                          for r in self.results.rows)]
        return sorted(private, key=lambda m: self.results.method(m).get(
            'mode') != 'maskdp')

    def _stats(self, metric: str) -> Dict[Tuple, Dict[str, Any]]:
        return {(s['method'], s['target_epsilon']): s
                for s in self.results.aggregate(metric)}

    def summary(self) -> str:
        """The sweep in a few plain sentences."""
        full, masked = self._stats('top1'), self._stats('top1_masked_view')
        ref = full.get((self.reference, None)) if self.reference else None
        private = self.private_methods()
        sentences = []
        for eps in self.results.epsilons():
            parts = [(m, full[(m, eps)]) for m in private if (m, eps) in full]
            if not parts:
                continue
            (first, stat), rest = parts[0], parts[1:]
            text = f'At epsilon {eps:g}, {first} keeps {format_stat(stat)} ' \
                   'top-1'
            if ref is not None:
                text += f' (non-private {self.reference}: {format_stat(ref)})'
            if rest:
                text += ', ' + ', '.join(f'{m} {format_stat(s)}'
                                         for m, s in rest)
            views = [f'{m} {format_stat(masked[(m, eps)])}' for m in private
                     if (m, eps) in masked]
            if views:
                text += '; on the masked test view ' + ', '.join(views)
            sentences.append(text + '.')
        others = [(m, s) for (m, e), s in full.items()
                  if e is None and m != self.reference]
        if others:
            sentences.append('Without DP: ' + ', '.join(
                f'{m} {format_stat(s)}' for m, s in others) + '.')
        if not self.results.epsilons() and ref is not None:
            sentences.append(f'Non-private {self.reference}: '
                             f'{format_stat(ref)} top-1.')
        if self.chance is not None:
            sentences.append(f'Chance is {100 * self.chance:.1f} %.')
        done, failed = self.results.done(), self.results.failed()
        tail = f'{len(done)} runs done, {len(failed)} failed'
        if failed:
            tail += ' (' + ', '.join(r['run'] for r in failed) + ')'
        skipped = self.results.meta.get('skipped') or {}
        if skipped:
            tail += '; skipped: ' + '; '.join(
                f'{m} ({reason})' for m, reason in skipped.items())
        return ' '.join(sentences + [tail + '.'])

    def top1_table(self) -> Tuple[List[str], List[List[str]]]:
        """(a) as a table: rows method x test view, columns epsilons."""
        epsilons = self.results.epsilons()
        header = ['method', 'test view'] + [f'eps {e:g}' for e in epsilons]
        header.append('no DP')
        rows = []
        for metric, view in (('top1', 'full'),
                             ('top1_masked_view', 'masked view')):
            stats = self._stats(metric)
            for method in self._method_names():
                if not any(m == method for m, _ in stats):
                    continue
                rows.append([method, view] + [
                    format_stat(stats.get((method, e))) for e in epsilons
                ] + [format_stat(stats.get((method, None)))])
        return header, rows

    def per_class_tables(self) -> List[Tuple[float, List[str], List]]:
        """(b) as tables: per epsilon, classes by training frequency."""
        if not self.class_names or not self.reference:
            return []
        ref = self.results.per_class_mean(self.reference, None)
        if not ref:
            return []
        order = class_order(self.class_names, self.train_counts)
        out = []
        for eps in self.results.epsilons():
            changes = {m: per_class_change(self.results, m, eps,
                                           self.reference)
                       for m in self.private_methods()}
            changes = {m: c for m, c in changes.items() if c}
            if not changes:
                continue
            header = ['class', 'training videos', f'{self.reference} (%)']
            header += [f'{m} change (pp)' for m in changes]
            rows = []
            for k in order:
                name = self.class_names[k]
                count = (self.train_counts[k] if self.train_counts
                         and k < len(self.train_counts) else None)
                row = [name, _num(count, 'd'),
                       _num(None if name not in ref else 100 * ref[name],
                            '.1f')]
                row += [_num(None if name not in c else 100 * c[name],
                             '+.1f') for c in changes.values()]
                rows.append(row)
            out.append((eps, header, rows))
        return out

    def privacy_table(self) -> Tuple[List[str], List[List[str]]]:
        """(d) every run's exact privacy parameters and results."""
        header = [
            'run', 'status', 'seed', 'target eps', 'eps spent', 'delta',
            'accountant', 'noise multiplier', 'clip norm C', 'sample rate q',
            'E|B|', 'steps', 'dataset size', 'fill', 'top-1 (%)',
            'masked view (%)', 'train min'
        ]
        rows = []
        for r in self.results.rows:
            rows.append([
                r['run'], r.get('status', '-'),
                str(r.get('seed')),
                _num(r.get('target_epsilon'), 'g'),
                _num(r.get('epsilon'), '.4f'),
                _num(r.get('delta'), 'g'),
                r.get('accountant') or '-',
                _num(r.get('noise_multiplier'), '.4f'),
                _num(r.get('max_grad_norm'), 'g'),
                _num(r.get('sample_rate'), '.4g'),
                _num(r.get('expected_batch_size'), 'g'),
                _num(r.get('steps'), 'd'),
                _num(r.get('dataset_size'), 'd'),
                r.get('fill') or '-',
                _num(_pct(r.get('top1')), '.1f'),
                _num(_pct(r.get('top1_masked_view')), '.1f'),
                _num(r.get('train_minutes'), '.1f')
            ])
        return header, rows

    # -- figures ------------------------------------------------------------
    def example_frames(self) -> Tuple[Optional[str], List[str]]:
        """Write (c)'s PNG; returns its path (None if it failed) and notes.
        """
        from .example_frames import ExampleFrames
        sweep = self.results.meta.get('sweep') or {}
        num = sweep.get('example_videos', 4)
        if not num or not self.data_root:
            return None, ['example frames switched off (example_videos=0).']
        checkpoints = {}
        for row in sorted(self.results.done(), key=lambda r: r['seed']):
            if row.get('kind') == 'minimax' and row.get('checkpoint'):
                checkpoints.setdefault(row['method'], row['checkpoint'])
        path = osp.join(self.out_dir, EXAMPLES_PNG)
        frames = ExampleFrames(self.results.methods(), self.data_root, num,
                               checkpoints, self.class_names)
        try:
            frames.save(path)
        except Exception as err:  # the rest of the report still matters
            print_log(f'Sweep report: no example frames ({err}).',
                      logger='current', level=logging.WARNING)
            return None, [f'not built: {err}']
        return path, frames.notes

    # -- document -----------------------------------------------------------
    def build(self, examples: bool = True) -> Dict[str, Any]:
        """Write the figures, ``report.md`` and ``report.html``.

        Args:
            examples (bool): Build the example-frames figure (reads test
                videos; f_A from minimax checkpoints). Defaults to True.

        Returns:
            dict: ``summary`` and the written ``paths``.
        """
        os.makedirs(self.out_dir, exist_ok=True)
        sweep = self.results.meta.get('sweep') or {}
        doc = ReportDocument('Privacy-utility report: ' + osp.basename(
            sweep.get('sweep_config', 'sweep')))
        doc.paragraph(
            f"Sweep config `{sweep.get('sweep_config', '?')}`, data root "
            f"`{self.data_root}`, seeds {sweep.get('seeds')}, epsilons "
            f"{sweep.get('epsilons')}; report written "
            f"{time.strftime('%Y-%m-%d %H:%M')} from `results.json`. Top-1 "
            'is measured on the test split with the last checkpoint of each '
            'run; ± is the sample standard deviation over seeds (n - 1), '
            'left out for a single seed.')
        summary = self.summary()
        doc.heading('Summary')
        doc.paragraph(summary)

        doc.heading('Top-1 against epsilon')
        header, rows = self.top1_table()
        doc.table(header, rows)
        paths = dict(md=osp.join(self.out_dir, REPORT_MD),
                     html=osp.join(self.out_dir, REPORT_HTML))
        if self.results.done():
            paths['top1_plot'] = osp.join(self.out_dir, TOP1_PNG)
            plot_top1_vs_epsilon(self.results, paths['top1_plot'],
                                 self.chance)
            doc.image(TOP1_PNG, 'Test top-1 (%) against the target '
                      'epsilon: private methods as lines (dashed: masked '
                      'test view), non-private ones as horizontal lines, '
                      'chance in light grey; error bars and bands: ± std '
                      'over seeds.')

        doc.heading('Per-class accuracy change against non-private training')
        tables = self.per_class_tables()
        if tables:
            doc.paragraph(
                f'Per-class test top-1 of each private method minus that of '
                f'the non-private reference `{self.reference}` (percentage '
                'points, means over seeds), classes sorted by their number '
                'of training videos (most frequent first; the dashed line '
                'in the plot).')
            paths['per_class_plot'] = osp.join(self.out_dir, PER_CLASS_PNG)
            plot_per_class_change(
                self.results, paths['per_class_plot'],
                reference=self.reference, methods=self.private_methods(),
                class_names=self.class_names, train_counts=self.train_counts)
            doc.image(PER_CLASS_PNG, 'Per-class top-1 change against '
                      f'{self.reference} (pp), one panel per epsilon.')
            for eps, header, rows in tables:
                doc.heading(f'epsilon {eps:g}', level=3)
                doc.table(header, rows)
        else:
            doc.paragraph('Not available: it needs a finished non-private '
                          'reference run and private runs.')

        doc.heading('Example frames')
        if examples:
            path, notes = self.example_frames()
            if path:
                paths['examples'] = path
                doc.paragraph(
                    'Middle frame of the test clip of a few test videos: the '
                    "raw frame, MaskDP's masked view as the method's own "
                    'data preprocessor builds it (sensitive pixels replaced '
                    'by the fill training used), the input of methods on '
                    "another data root (e.g. avatar-anonymized), and f_A's "
                    'output from the first finished penalty-minimax run.')
                doc.image(EXAMPLES_PNG, 'Example frames per anonymization '
                          'method.')
            if notes:
                doc.bullets(notes)
        else:
            doc.paragraph('Not built (switched off).')

        doc.heading('Privacy parameters of every run')
        doc.paragraph(
            'As reported by each run\'s PrivacyAccountantHook '
            '(`privacy.json`): epsilon actually spent, delta, accountant, '
            'noise multiplier, clip norm C, Poisson sample rate q, expected '
            'batch size, optimizer steps, dataset size and the masked-view '
            'fill. Non-private runs have no epsilon.')
        header, rows = self.privacy_table()
        doc.table(header, rows)

        failed = self.results.failed()
        skipped = self.results.meta.get('skipped') or {}
        if failed or skipped:
            doc.heading('Failed and skipped')
            doc.bullets([
                f"`{r['run']}` failed: {_last_line(r.get('error'))} (see "
                f"runs/{r['run']}/status.json)" for r in failed
            ] + [f'`{m}` skipped: {reason}' for m, reason in skipped.items()])

        with open(paths['md'], 'w') as f:
            f.write(doc.to_markdown(self.out_dir))
        with open(paths['html'], 'w') as f:
            f.write(doc.to_html(self.out_dir))
        return dict(summary=summary, paths=paths)


__all__ = ['SweepReport', 'format_stat']
