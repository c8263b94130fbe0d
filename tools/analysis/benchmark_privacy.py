"""Benchmark one training step: non-private, DP-SGD, MaskDP and Opacus.

Builds the config's recognizer once per mode (same weights, same fixed
random batch, no dataset files) and times ``model.train_step`` in ONE
process, interleaved: every round runs one step of every mode, in an order
that rotates from round to round, after ``--warmup`` such rounds. Reports
the median seconds per iteration (with quartiles and min/max) and the peak
memory of a step, and their ratios to the non-private step.

Modes:
    none          the config's recognizer and optim wrapper, data
                  preprocessor mode 'none' (an ordinary training step)
    dpsgd/maskdp  MaskDPOptimWrapper (clipping='fast'; MaskDP runs its
                  views one after the other, --cfg-options
                  optim_wrapper.sequential_views=False runs them as one
                  batch of 2B rows), noise_multiplier 1.0, E|B| = batch
                  size
    dpsgd_exact/maskdp_exact  the same with clipping='exact' (Opacus hooks)
    opacus        Opacus' own DP-SGD (PrivacyEngine.make_private, hooks,
                  flat clipping at the same max_grad_norm) on a copy of the
                  recognizer; its batch is preprocessed once beforehand, so
                  its time excludes normalisation (a few ms on CPU)

Example: the batch-size and clip-length series and their plot::

    CFG=$(ls configs/maskdp/r3d_r18-w8-gn_maskdp-eps1-*_synthetic.py)
    mkdir -p work_dirs/privacy_benchmark
    for B in 16 32 64; do
      python tools/analysis/benchmark_privacy.py $CFG --batch-size $B \\
          --clip-len 8 --out work_dirs/privacy_benchmark/b${B}_t8.json
    done
    for T in 4 16; do  # T=8 at B=16 is already there
      python tools/analysis/benchmark_privacy.py $CFG --batch-size 16 \\
          --clip-len $T --out work_dirs/privacy_benchmark/b16_t${T}.json
    done
    python tools/analysis/plot_privacy_benchmark.py \\
        work_dirs/privacy_benchmark/*.json \\
        --out work_dirs/privacy_benchmark/privacy_benchmark.png
"""
import argparse
import copy
import datetime
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import time
import warnings
from typing import Optional

import numpy as np
import opacus
import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import set_random_seed
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

import mmprivact  # noqa: F401  (registers components, fixes mmaction import)
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmprivact.privacy.per_sample_grads import (check_per_sample_privacy,
                                                disable_inplace_activations)

MODES = ('none', 'dpsgd', 'maskdp', 'dpsgd_exact', 'maskdp_exact', 'opacus')
EXACT_MODES = ('dpsgd_exact', 'maskdp_exact')
DEFAULT_CLIP_LEN, DEFAULT_SIZE, DEFAULT_BATCH = 8, 64, 16
MEMORY_CHILD_STEPS = 3
RESULT_TAG = 'BENCHMARK_MEMORY_RESULT '
MEMORY_HELP = (
    'peak_mem_mb is the extra memory of training steps over the built model '
    '(activations, gradients, per-sample gradients, optimizer state; not '
    'the weights or library overhead), in MiB. CUDA: in this process, per '
    'step torch.cuda.max_memory_allocated() minus memory_allocated() right '
    'before the step, plus what the same mode\'s earlier steps left '
    'allocated (its optimizer state), max over all its steps. CPU: per mode '
    'in a child process: peak resident set size (VmHWM, reset right before '
    'the first step; ru_maxrss where it cannot be reset) over one warm-up '
    f'and {MEMORY_CHILD_STEPS} steps, minus the RSS right before the first '
    'step. peak_mem_abs_mb is the absolute peak (CPU: the child\'s peak RSS; '
    'CUDA: max_memory_allocated, which includes the other modes\' models).')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     epilog='Memory: ' + MEMORY_HELP)
    add = parser.add_argument
    add('config', help='train config (MMAction2/mmprivact)')
    add('--batch-size', type=int, help='videos per step (default: the '
        f"config's train_dataloader.batch_size, else {DEFAULT_BATCH})")
    add('--iters', type=int, default=20,
        help='timed rounds (one step of every mode each; default 20)')
    add('--warmup', type=int, default=3,
        help='untimed rounds before timing (default 3)')
    add('--modes', help=f'comma-separated subset of {", ".join(MODES)} '
        '(default: all)')
    add('--clip-len', type=int, help="frames per clip (default: the train "
        f"pipeline's clip_len, else {DEFAULT_CLIP_LEN})")
    add('--size', type=int, help="square frame size (default: the train "
        f"pipeline's final crop/resize, else {DEFAULT_SIZE})")
    add('--max-grad-norm', type=float, help='clip norm C of the private '
        "modes and Opacus (default: optim_wrapper.max_grad_norm, else 1)")
    add('--out', help='write the results as JSON')
    add('--device', choices=['cpu', 'cuda'],
        help='default: cuda when available')
    add('--seed', type=int, default=0)
    add('--no-memory', action='store_true',
        help='skip the memory measurement')
    add('--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value')
    add('--_memory-child', dest='memory_child', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.modes is None:
        args.modes = list(MODES)
    else:
        modes = [m.strip() for m in args.modes.split(',') if m.strip()]
        for m in modes:
            if m not in MODES:
                parser.error(f'argument --modes: unknown mode {m!r}; choose '
                             f'from {", ".join(MODES)}, comma-separated '
                             '(e.g. --modes none,dpsgd,maskdp,opacus).')
        if not modes:
            parser.error('argument --modes: no mode given.')
        args.modes = list(dict.fromkeys(modes))
    for name, low in (('batch_size', 1), ('iters', 1), ('warmup', 0),
                      ('clip_len', 1), ('size', 1)):
        value = getattr(args, name)
        if value is not None and value < low:
            parser.error(f'argument --{name.replace("_", "-")}: must be >= '
                         f'{low}, got {value}.')
    if args.max_grad_norm is not None and not args.max_grad_norm > 0:
        parser.error(f'argument --max-grad-norm: must be > 0, got '
                     f'{args.max_grad_norm}.')
    if args.device is None:
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('argument --device: cuda requested but torch sees no '
                     'GPU; use --device cpu.')
    return args


# -- config --------------------------------------------------------------
def _train_pipeline(cfg) -> list:
    dataset = cfg.get('train_dataloader', {}).get('dataset', {})
    while isinstance(dataset, dict):
        if dataset.get('pipeline'):
            return list(dataset['pipeline'])
        dataset = dataset.get('dataset')
    return list(cfg.get('train_pipeline', []) or [])


def _pair(value):
    """(h, w) from an int or a (w, h) pair; None if not a fixed size."""
    if isinstance(value, int):
        return (value, value) if value > 0 else None
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, int) and v > 0 for v in value):
        return int(value[1]), int(value[0])
    return None


def input_spec(cfg, args) -> dict:
    """Per-video input layout as the config's train pipeline produces it."""
    num_clips, clip_len, size = 1, None, None
    for t in _train_pipeline(cfg):
        if clip_len is None and 'clip_len' in t:
            clip_len, num_clips = t['clip_len'], t.get('num_clips', 1)
        kind = str(t.get('type', '')).split('.')[-1]
        if kind in ('CenterCrop', 'RandomCrop', 'ThreeCrop', 'TenCrop'):
            size = _pair(t.get('crop_size')) or size
        elif kind == 'Resize' and t.get('keep_ratio', True) is False:
            size = _pair(t.get('scale')) or size
    if args.clip_len is not None:
        clip_len = args.clip_len
    if args.size is not None:
        size = (args.size, args.size)
    preprocessor = cfg.model.get('data_preprocessor') or {}
    shape = preprocessor.get('format_shape', 'NCTHW')
    if shape not in ('NCTHW', 'NCHW'):
        raise ValueError(
            f'model.data_preprocessor.format_shape is {shape!r}; the '
            "benchmark builds 'NCTHW' (3D) or 'NCHW' (2D) RGB inputs only.")
    head = cfg.model.get('cls_head') or {}
    return dict(num_clips=int(num_clips),
                clip_len=int(clip_len or DEFAULT_CLIP_LEN),
                height=int((size or (DEFAULT_SIZE, ) * 2)[0]),
                width=int((size or (DEFAULT_SIZE, ) * 2)[1]),
                format_shape=shape,
                num_classes=int(head.get('num_classes', 2)))


def load_config(args) -> Config:
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    if args.batch_size is None:
        args.batch_size = int(cfg.get('train_dataloader', {}).get(
            'batch_size', DEFAULT_BATCH))
    return cfg


def make_batch(spec: dict, batch_size: int, seed: int) -> dict:
    """A fixed random batch as the dataloader would collate it: uint8
    videos, labels, a centred non-sensitive box as ``privacy_mask``."""
    g = torch.Generator().manual_seed(seed)
    h, w, t, n = (spec['height'], spec['width'], spec['clip_len'],
                  spec['num_clips'])
    lead = (n, 3, t) if spec['format_shape'] == 'NCTHW' else (n * t, 3)
    mask_lead = (n, t) if spec['format_shape'] == 'NCTHW' else (n * t, )
    inputs, samples = [], []
    for i in range(batch_size):
        inputs.append(torch.randint(0, 256, lead + (h, w), generator=g,
                                    dtype=torch.uint8))
        mask = np.zeros(mask_lead + (h, w), dtype=bool)
        mask[..., h // 4:h - h // 4, w // 4:w - w // 4] = True
        sample = ActionDataSample()
        label = torch.randint(0, spec['num_classes'], (1, ), generator=g)
        sample.set_gt_label(label)
        sample.set_metainfo(dict(privacy_mask=mask,
                                 filename=f'benchmark_{i:04d}.mp4'))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def _model_cfg(cfg, preprocessor_mode: str) -> dict:
    model = copy.deepcopy(cfg.model.to_dict())
    pre = dict(model.get('data_preprocessor') or {})
    kind = str(pre.get('type', 'ActionDataPreprocessor')).split('.')[-1]
    if kind == 'ActionDataPreprocessor':
        pre['type'] = 'MaskDPDataPreprocessor'
    elif kind != 'MaskDPDataPreprocessor':
        raise ValueError(
            f'model.data_preprocessor is {pre.get("type")!r}; the benchmark '
            'needs MaskDPDataPreprocessor (or ActionDataPreprocessor, which '
            'it converts) to switch between none, dpsgd and maskdp.')
    pre['mode'] = preprocessor_mode
    model['data_preprocessor'] = pre
    return model


def _wrapper_cfg(cfg, mode: str, args) -> dict:
    ow = copy.deepcopy(cfg.optim_wrapper.to_dict())
    if mode == 'none':
        return ow
    # Keys of MaskDPOptimWrapper, OptimWrapper and AmpOptimWrapper that the
    # other type does not take.
    drop = ('clip_grad', 'accumulative_counts', 'loss_scale', 'dtype')
    if mode == 'opacus':
        drop += ('max_grad_norm', 'secure_mode', 'noise_seed',
                 'check_first_step', 'clipping', 'fallback_to_exact',
                 'sequential_views')
        return dict({k: v for k, v in ow.items() if k not in drop},
                    type='OptimWrapper')
    if str(ow.get('type')).split('.')[-1] != 'MaskDPOptimWrapper':
        ow = dict({k: v for k, v in ow.items() if k not in drop},
                  type='MaskDPOptimWrapper')
    ow['max_grad_norm'] = clip_norm(cfg, args)
    ow['noise_seed'] = args.seed
    ow['clipping'] = 'exact' if mode in EXACT_MODES else 'fast'
    return ow


def clip_norm(cfg, args) -> float:
    """C of the private modes (and of Opacus)."""
    if args.max_grad_norm is not None:
        return float(args.max_grad_norm)
    return float(cfg.optim_wrapper.get('max_grad_norm', 1.0) or 1.0)


# -- one mode ------------------------------------------------------------
class ModeStep:
    """One mode's model, optimizer and step function, ready to time."""

    def __init__(self, cfg, mode: str, args, batch: dict,
                 state: Optional[dict] = None) -> None:
        self.mode = mode
        device = torch.device(args.device)
        set_random_seed(args.seed)
        pre_mode = ('none' if mode in ('none', 'opacus') else
                    mode.replace('_exact', ''))
        model = MODELS.build(_model_cfg(cfg, pre_mode))
        model.init_weights()
        model.to(device)
        # The constructor may replace BatchNorm (convert_batchnorm=True).
        wrapper = build_optim_wrapper(model, _wrapper_cfg(cfg, mode, args))
        if state is not None:
            model.load_state_dict(state)
        model.to(device)
        model.train()
        if mode != 'none':
            try:
                check_per_sample_privacy(model)
            except ValueError as err:
                raise ValueError(
                    f'{args.config}: mode {mode!r}: {err} Here: --cfg-options '
                    'optim_wrapper.constructor=MaskDPOptimWrapperConstructor '
                    'optim_wrapper.convert_batchnorm=True (converts the '
                    'model of every mode), or --modes none.') from err
        self.model, self.batch = model, batch
        self.params = sum(p.numel() for p in model.parameters()
                          if p.requires_grad)
        self.max_grad_norm = None
        if mode == 'opacus':
            self._setup_opacus(wrapper.optimizer, clip_norm(cfg, args),
                               args.batch_size)
        else:
            self.wrapper = wrapper
            if mode != 'none':
                self.max_grad_norm = wrapper.max_grad_norm
                wrapper.configure_privacy(noise_multiplier=1.0,
                                          expected_batch_size=args.batch_size)

    def _setup_opacus(self, optimizer, max_grad_norm: float,
                      batch_size: int) -> None:
        disable_inplace_activations(self.model)
        loader = DataLoader(TensorDataset(torch.zeros(batch_size)),
                            batch_size=batch_size)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            self.gsm, self.dp_optimizer, _ = opacus.PrivacyEngine(
            ).make_private(
                module=self.model, optimizer=optimizer, data_loader=loader,
                noise_multiplier=1.0, max_grad_norm=max_grad_norm,
                grad_sample_mode='hooks', poisson_sampling=False)
        warnings.filterwarnings(
            'ignore', message='Full backward hook is firing when gradients')
        self.max_grad_norm = max_grad_norm
        with torch.no_grad():
            self.data = self.model.data_preprocessor(self.batch, True)

    def clipping_used(self):
        """The clipping path the private wrapper took: 'fast' or 'exact'
        (None when not private, 'opacus' for Opacus)."""
        if self.mode == 'opacus':
            return 'opacus'
        if self.mode == 'none':
            return None
        return self.wrapper.clipping_used

    def step(self) -> None:
        """One training step as MMEngine (or Opacus' user code) runs it."""
        if self.mode != 'opacus':
            self.model.train_step(self.batch, self.wrapper)
            return
        losses = self.gsm(self.data['inputs'], self.data['data_samples'],
                          mode='loss')
        loss, _ = self.model.parse_losses(losses)
        loss.backward()
        self.dp_optimizer.step()
        self.dp_optimizer.zero_grad(set_to_none=True)


def build_steps(cfg, args, batch, modes) -> dict:
    steps, state = {}, None
    for mode in modes:
        steps[mode] = ModeStep(cfg, mode, args, batch, state)
        if state is None:
            state = {k: v.detach().clone()
                     for k, v in steps[mode].model.state_dict().items()}
    return steps


# -- timing and memory ---------------------------------------------------
def _sync(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def run_interleaved(steps: dict, args) -> tuple:
    """Times per mode (after warm-up) and, on CUDA, peak step memory."""
    modes = list(steps)
    times = {m: [] for m in modes}
    peak = {m: 0.0 for m in modes}
    abs_peak = {m: 0.0 for m in modes}
    kept = {m: 0 for m in modes}
    cuda = args.device == 'cuda'
    rounds = args.warmup + args.iters
    for r in tqdm(range(rounds), desc='benchmark rounds', file=sys.stderr):
        shift = r % len(modes)
        for mode in modes[shift:] + modes[:shift]:
            _sync(args.device)
            if cuda:
                before = torch.cuda.memory_allocated()
                torch.cuda.reset_peak_memory_stats()
            start = time.perf_counter()
            steps[mode].step()
            _sync(args.device)
            elapsed = time.perf_counter() - start
            if cuda:
                top = torch.cuda.max_memory_allocated()
                peak[mode] = max(peak[mode], top - before + kept[mode])
                abs_peak[mode] = max(abs_peak[mode], top)
                kept[mode] += torch.cuda.memory_allocated() - before
            if r >= args.warmup:
                times[mode].append(elapsed)
    mib = 2.0**20
    memory = {m: dict(peak_mem_mb=peak[m] / mib,
                      peak_mem_abs_mb=abs_peak[m] / mib) for m in modes}
    return times, (memory if cuda else None)


def _status_kb(field: str):
    """A ``/proc/self/status`` field in KiB, None without /proc."""
    if not osp.exists('/proc/self/status'):
        return None
    with open('/proc/self/status') as f:
        found = [ln for ln in f if ln.startswith(field + ':')]
    return float(found[0].split()[1]) if found else None


def _maxrss_kb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024.0 if sys.platform == 'darwin' else float(rss)


def memory_child(cfg, args, batch) -> dict:
    """Peak RSS of one mode's steps over the RSS right before them."""
    step = ModeStep(cfg, args.memory_child, args, batch)
    try:  # reset the high-water mark to the current RSS (Linux >= 4.0)
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        method = 'VmHWM'
    except OSError:
        method = 'ru_maxrss'
    baseline = _status_kb('VmRSS')
    if baseline is None:
        baseline, method = _maxrss_kb(), 'ru_maxrss (no /proc)'
    for _ in range(1 + MEMORY_CHILD_STEPS):
        step.step()
    top = _status_kb('VmHWM') if method == 'VmHWM' else _maxrss_kb()
    return dict(peak_mem_mb=max(top - baseline, 0.0) / 1024.0,
                peak_mem_abs_mb=top / 1024.0,
                mem_baseline_mb=baseline / 1024.0, mem_method=method)


def measure_cpu_memory(argv: list, modes: list) -> dict:
    out = {}
    for mode in tqdm(modes, desc='memory (child per mode)', file=sys.stderr):
        cmd = [sys.executable, osp.abspath(__file__)] + list(argv) + [
            '--_memory-child', mode]
        res = subprocess.run(cmd, capture_output=True, text=True)
        lines = [ln for ln in res.stdout.splitlines()
                 if ln.startswith(RESULT_TAG)]
        if res.returncode != 0 or not lines:
            raise RuntimeError(
                f'The memory measurement of mode {mode!r} failed (exit '
                f'{res.returncode}); run with --no-memory to skip it. '
                f'Child output:\n{(res.stdout + res.stderr)[-3000:]}')
        out[mode] = json.loads(lines[-1][len(RESULT_TAG):])
    return out


# -- report --------------------------------------------------------------
def summarise(times: dict, memory, steps: dict) -> tuple:
    results, ratios = {}, {}
    for mode, values in times.items():
        arr = np.asarray(values)
        row = dict(sec_per_iter=float(np.median(arr)),
                   sec_q1=float(np.percentile(arr, 25)),
                   sec_q3=float(np.percentile(arr, 75)),
                   sec_min=float(arr.min()), sec_max=float(arr.max()),
                   sec_all=[float(v) for v in arr],
                   peak_mem_mb=None, trainable_params=steps[mode].params,
                   max_grad_norm=steps[mode].max_grad_norm,
                   clipping=steps[mode].clipping_used())
        if memory is not None:
            row.update(memory[mode])
        results[mode] = row
    ref = results.get('none')
    for mode, row in results.items():
        time_ratio = mem_ratio = None
        if ref is not None:
            time_ratio = row['sec_per_iter'] / ref['sec_per_iter']
            if row['peak_mem_mb'] is not None and ref['peak_mem_mb']:
                mem_ratio = row['peak_mem_mb'] / ref['peak_mem_mb']
        ratios[mode] = dict(time=time_ratio, memory=mem_ratio)
    return results, ratios


def format_table(report: dict) -> str:
    def num(v, fmt):
        return '-' if v is None else format(v, fmt)

    head = (f'{"mode":<13} {"s/iter":>9} {"IQR":>17} {"min-max":>17} '
            f'{"peak MB":>9} {"x time":>7} {"x mem":>7}')
    lines = [head, '-' * len(head)]
    for mode, row in report['results'].items():
        ratio = report['ratios'][mode]
        iqr = f'{row["sec_q1"]:.4f}-{row["sec_q3"]:.4f}'
        span = f'{row["sec_min"]:.4f}-{row["sec_max"]:.4f}'
        lines.append(f'{mode:<13} {row["sec_per_iter"]:>9.4f} {iqr:>17} '
                     f'{span:>17} {num(row["peak_mem_mb"], ".1f"):>9} '
                     f'{num(ratio["time"], ".2f"):>7} '
                     f'{num(ratio["memory"], ".2f"):>7}')
    return '\n'.join(lines)


def main(argv=None) -> dict:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    # Quiet: no per-parameter init_weights report for every mode built.
    if not MMLogger.check_instance_created('benchmark_privacy'):
        MMLogger.get_instance('benchmark_privacy', log_level='WARNING')
    cfg = load_config(args)
    spec = input_spec(cfg, args)
    batch = make_batch(spec, args.batch_size, args.seed)
    if args.memory_child is not None:
        result = memory_child(cfg, args, batch)
        print(RESULT_TAG + json.dumps(result), flush=True)
        return result
    steps = build_steps(cfg, args, batch, args.modes)
    times, memory = run_interleaved(steps, args)
    if memory is None and not args.no_memory:
        memory = measure_cpu_memory(argv, args.modes)
    results, ratios = summarise(times, memory, steps)
    report = dict(
        results=results, ratios=ratios, config=args.config,
        batch_size=args.batch_size, clip_len=spec['clip_len'],
        num_clips=spec['num_clips'], size=[spec['height'], spec['width']],
        format_shape=spec['format_shape'], device=args.device,
        torch=torch.__version__, opacus=opacus.__version__,
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
        iters=args.iters, warmup=args.warmup, seed=args.seed,
        modes=list(args.modes),
        cpu_threads=torch.get_num_threads(),
        memory=None if memory is None else MEMORY_HELP)
    print(f'{args.config}: batch {args.batch_size}, clip '
          f'{spec["num_clips"]}x{spec["clip_len"]}x{spec["height"]}x'
          f'{spec["width"]}, {args.device}, {args.iters} rounds after '
          f'{args.warmup} warm-up')
    print(format_table(report))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=2)
        print(f'Wrote {args.out}')
    return report


if __name__ == '__main__':
    main()
