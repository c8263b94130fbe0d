"""Example frames of a sweep's anonymization methods, as one PNG grid.

Columns: the raw test frame; MaskDP's masked view, built by the method's
own :class:`MaskDPDataPreprocessor` (so the fill is exactly what training
used); the input frame of methods that read another data root (an
avatar-anonymized copy); and f_A(x) of penalty-minimax runs, loaded from
the run's checkpoint. Rows: a few test videos of different classes, the
middle frame of the clip the test pipeline samples.
"""
import os
import os.path as osp
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

#: A column: title and (N, H, W, 3) uint8 RGB frames (None where missing).
Column = Tuple[str, List[Optional[np.ndarray]]]


def _effective_config(method: Mapping):
    """The method's training config with its overrides and data root."""
    from mmengine.config import Config

    from .run_overrides import data_root_overrides
    cfg = Config.fromfile(method['config'])
    if method.get('cfg_options'):
        cfg.merge_from_dict(dict(method['cfg_options']))
    cfg.merge_from_dict(data_root_overrides(cfg, method['data_root']))
    return cfg


def _middle_frame(batch, index: int) -> np.ndarray:
    """Middle frame of video ``index`` of a (B, N, C, T, H, W) or
    (B, N, C, H, W) batch, as (H, W, C)."""
    video = batch[index]
    if video.ndim == 5:  # N, C, T, H, W
        frame = video[0, :, video.shape[2] // 2]
    elif video.ndim == 4:  # N (clips x frames), C, H, W
        frame = video[video.shape[0] // 2]
    else:
        raise ValueError(f'Unexpected input shape {tuple(batch.shape)}.')
    return frame.permute(1, 2, 0).cpu().numpy()


class _Source:
    """A method's test dataset and data preprocessor."""

    def __init__(self, method: Mapping) -> None:
        from mmaction.registry import DATASETS, MODELS
        from mmengine.registry import DefaultScope

        self.method = method
        self.cfg = _effective_config(method)
        with DefaultScope.overwrite_default_scope('mmaction'):
            self.dataset = DATASETS.build(self.cfg.test_dataloader.dataset)
            self.preprocessor = MODELS.build(
                self._preprocessor_cfg(self.cfg.model))
        self.preprocessor.eval()
        root = osp.normpath(method['data_root'])
        self.index = {}
        for i in range(len(self.dataset)):
            info = self.dataset.get_data_info(i)
            rel = osp.relpath(osp.normpath(info['filename']), root)
            self.index[rel] = (i, info.get('label'))

    @staticmethod
    def _preprocessor_cfg(model: Mapping) -> dict:
        preprocessor = dict(model.get('data_preprocessor') or {})
        if not preprocessor:
            raise ValueError('the config has no model.data_preprocessor.')
        return preprocessor

    def frames(self, rel_paths: Sequence[str],
               masked: bool = False) -> List[Optional[np.ndarray]]:
        """Middle test frames (uint8 RGB) of the named videos.

        Args:
            rel_paths (Sequence[str]): Video paths relative to the data root.
            masked (bool): Apply the masked view (``mask_at_test``).

        Returns:
            list[np.ndarray | None]: None for a video this dataset lacks.
        """
        import torch
        from mmengine.dataset import pseudo_collate
        present = [p for p in rel_paths if p in self.index]
        out: Dict[str, np.ndarray] = {}
        if present:
            data = pseudo_collate(
                [self.dataset[self.index[p][0]] for p in present])
            previous = getattr(self.preprocessor, 'mask_at_test', None)
            if masked:
                self.preprocessor.mask_at_test = True
            try:
                with torch.no_grad():
                    batch = self.preprocessor(data, training=False)['inputs']
            finally:
                if previous is not None:
                    self.preprocessor.mask_at_test = previous
            batch = self._denormalise(batch)
            for i, path in enumerate(present):
                frame = _middle_frame(batch, i)
                out[path] = np.clip(np.round(frame), 0, 255).astype(np.uint8)
        return [out.get(p) for p in rel_paths]

    def _denormalise(self, batch):
        pre = self.preprocessor
        if not getattr(pre, '_enable_normalize', False):
            return batch.float()
        shape = (1, 1, -1) + (1, ) * (batch.ndim - 3)
        return (batch * pre.std.view(shape) + pre.mean.view(shape)).float()


class ExampleFrames:
    """Builds and saves the example-frames grid of a sweep.

    Args:
        methods (Sequence[Mapping]): Method descriptions
            (``SweepMethod.to_dict()``: ``name``, ``config``, ``kind``,
            ``data_root``, ``cfg_options``, ``mode``, ``skip_reason``).
        data_root (str): The sweep's main data root (the raw frames).
        num_videos (int): Rows (test videos of distinct classes).
            Defaults to 4.
        checkpoints (Mapping[str, str], optional): ``{method name:
            checkpoint}`` of finished penalty-minimax runs, for f_A.
        class_names (Sequence[str], optional): Names for the row labels.
    """

    def __init__(self,
                 methods: Sequence[Mapping],
                 data_root: str,
                 num_videos: int = 4,
                 checkpoints: Optional[Mapping[str, str]] = None,
                 class_names: Optional[Sequence[str]] = None) -> None:
        if num_videos < 1:
            raise ValueError(f'num_videos must be >= 1, got {num_videos}.')
        self.methods = [m for m in methods if m.get('skip_reason') is None]
        self.data_root = osp.normpath(data_root)
        self.num_videos = num_videos
        self.checkpoints = dict(checkpoints or {})
        self.class_names = list(class_names) if class_names else None
        self.notes: List[str] = []

    def _raw_method(self) -> Mapping:
        on_main = [m for m in self.methods
                   if osp.normpath(m['data_root']) == self.data_root]
        if not on_main:
            raise ValueError(f'no method reads the main data root '
                             f'{self.data_root}.')
        # Prefer a recognizer with the MaskDP pipeline (mask and fill).
        on_main.sort(key=lambda m: (m.get('kind') != 'recognizer',
                                    m.get('mode') != 'maskdp'))
        return on_main[0]

    def _pick(self, source: _Source) -> List[str]:
        chosen, labels = [], set()
        for rel, (_, label) in source.index.items():
            if label in labels:
                continue
            labels.add(label)
            chosen.append(rel)
            if len(chosen) == self.num_videos:
                break
        return chosen

    def _row_label(self, rel: str, label: Any) -> str:
        name = osp.splitext(osp.basename(rel))[0]
        if label is None:
            return name
        label = int(label)
        if self.class_names and label < len(self.class_names):
            return f'{name} ({self.class_names[label]})'
        return f'{name} (class {label})'

    def build(self) -> Tuple[List[str], List[Column]]:
        """Compute every column.

        Returns:
            tuple[list[str], list[Column]]: Row labels and columns; why a
            column or cell is missing is in :attr:`notes`.
        """
        self.notes = []
        raw = _Source(self._raw_method())
        videos = self._pick(raw)
        rows = [self._row_label(v, raw.index[v][1]) for v in videos]
        raw_frames = raw.frames(videos)
        columns: List[Column] = [('raw', raw_frames)]
        sources = {raw.method['name']: raw}
        for method in self.methods:
            name = method['name']
            other_root = osp.normpath(method['data_root']) != self.data_root
            if method.get('kind') == 'minimax':
                try:
                    columns.extend(self._learned(name, raw_frames))
                except Exception as err:  # keep the other columns
                    self.notes.append(f'{name}: f_A not shown ({err}).')
                continue
            if not other_root and method.get('mode') != 'maskdp':
                continue
            try:
                source = sources.get(name) or _Source(method)
            except Exception as err:  # one column must not sink the figure
                self.notes.append(f'{name}: not shown ({err}).')
                continue
            sources[name] = source
            if other_root:
                frames = source.frames(videos)
                self._note_missing(name, videos, frames)
                columns.append((f'{name}: input', frames))
            if method.get('mode') == 'maskdp':
                frames = source.frames(videos, masked=True)
                self._note_missing(name, videos, frames)
                columns.append((f'{name}: masked view', frames))
        return rows, columns

    def _note_missing(self, name: str, videos: List[str],
                      frames: List[Optional[np.ndarray]]) -> None:
        missing = [v for v, f in zip(videos, frames) if f is None]
        if missing:
            self.notes.append(f'{name}: {missing} not in its test list.')

    def _learned(self, name: str,
                 raw_frames: List[Optional[np.ndarray]]) -> List[Column]:
        checkpoint = self.checkpoints.get(name)
        if not checkpoint:
            self.notes.append(f'{name}: no finished run, so no f_A to show.')
            return []
        from mmprivact.anonymization.learned_anonymizer import \
            LearnedAnonymizer
        anonymizer = LearnedAnonymizer(checkpoint)
        frames = np.stack(raw_frames)
        return [(f'{name}: f_A(x)', list(anonymizer.anonymize_frames(frames)))
                ]

    def save(self, path: str) -> Tuple[List[str], List[Column]]:
        """Build the grid and write it as a PNG.

        Args:
            path (str): Output ``.png``.

        Returns:
            tuple[list[str], list[Column]]: What :meth:`build` returned.
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        rows, columns = self.build()
        size = 1.9
        fig = Figure(figsize=(size * len(columns) + 0.6,
                              size * len(rows) + 0.4))
        FigureCanvasAgg(fig)
        axes = fig.subplots(len(rows), len(columns), squeeze=False)
        for c, (title, frames) in enumerate(columns):
            for r, frame in enumerate(frames):
                ax = axes[r][c]
                ax.set_xticks([])
                ax.set_yticks([])
                if frame is None:
                    ax.text(0.5, 0.5, 'n/a', ha='center', va='center',
                            transform=ax.transAxes)
                else:
                    ax.imshow(frame, interpolation='nearest')
                if r == 0:
                    ax.set_title(title, fontsize=8)
                if c == 0:
                    ax.set_ylabel(rows[r], fontsize=7)
        fig.tight_layout()
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        fig.savefig(path, dpi=100)
        return rows, columns


__all__ = ['ExampleFrames']
