"""Empirical privacy audit: a lower bound on epsilon by canary insertion.

Trains many short runs of the config's private training (the model with its
MaskDPDataPreprocessor, MaskDPOptimWrapper, Poisson batches, sigma
calibrated by the accountant for the short run) in two neighbouring worlds,
WITH and WITHOUT a canary pattern, scores each trained model by the loss on
the canary, and turns the test's TPR / FPR into an epsilon lower bound with
Clopper-Pearson confidence (threshold chosen on half the runs, counts from
the other half). See docs/privacy_reports.md, "Empirical audit".

Runs are appended to OUT/runs.jsonl; calling again with the same settings
continues where it stopped (a larger --runs adds runs). Writes
OUT/audit.json and OUT/audit.md.

Example (the embedded benchmark's MaskDP config)::

    CFG=$(ls configs/maskdp/r3d_r18-w8-gn_maskdp-eps1-*_synthetic.py)
    python tools/analysis/audit_privacy.py $CFG --mode maskdp \\
        --canary sensitive --runs 200 --out work_dirs/audit/maskdp_sensitive
"""
import argparse
import datetime
import json
import math
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from tqdm import tqdm

import mmprivact  # noqa: F401  (registers components, fixes mmaction import)
from mmprivact.evaluation.audit_run_log import AuditRunLog
from mmprivact.evaluation.canary_audit import (AUDIT_MODES, WORLDS,
                                               CanaryAudit)
from mmprivact.evaluation.canary_records import CANARY_KINDS
from mmprivact.privacy.audit_bounds import (describe_threshold,
                                            epsilon_lower_bound,
                                            split_threshold_audit)

SCORE = ('loss(canary with pattern) - loss(canary without pattern) of the '
         'trained model on full videos, both with the canary label; lower = '
         '"trained with the pattern"')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add('config', help='training config (e.g. configs/maskdp/...)')
    add('--canary', choices=CANARY_KINDS, default='sensitive',
        help='where the pattern goes: the sensitive region (protected by '
        'MaskDP) or the non-sensitive one (public by design)')
    add('--mode', choices=AUDIT_MODES,
        help='privacy mode (default: model.data_preprocessor.mode)')
    add('--runs', type=int, default=200,
        help='training runs in total, half per world (even; default 200)')
    add('--out', help='output folder (default work_dirs/audit/MODE_CANARY)')
    add('--num-records', type=int, default=8,
        help='training records N, canary and decoy included (default 8)')
    add('--expected-batch-size', type=int, default=2,
        help='expected Poisson batch size E, q = E / N (default 2)')
    add('--epochs', type=int, default=20,
        help='expected passes over the records (default 20)')
    add('--target-epsilon', type=float,
        help='epsilon sigma is calibrated to for the short run (default: '
        "the config's PrivacyAccountantHook target, else 1)")
    add('--delta', type=float, help="default: the config's, else 1e-5")
    add('--accountant', choices=['rdp', 'prv'],
        help="default: the config's, else rdp")
    add('--lr', type=float, help='override optim_wrapper.optimizer.lr')
    add('--clip-len', type=int, default=4,
        help='frames per clip (default 4; the config has 8)')
    add('--frame-interval', type=int, default=8,
        help='frame interval (default 8: the same 32-frame span)')
    add('--size', type=int, default=32,
        help='frame side (default 32; the config has 64)')
    add('--canary-label', type=int,
        help='label of the canary (default: its video\'s label + 1)')
    add('--pattern-square', type=int, default=4,
        help='checkerboard square side in pixels (default 4)')
    add('--record-mask', action='store_true',
        help='keep the canary video\'s own privacy mask (pattern on its '
        'background or figure only) instead of giving the whole canary '
        'video the canary\'s kind')
    add('--clipping', choices=['fast', 'exact'],
        help="override optim_wrapper.clipping (default: the config's)")
    add('--alpha', type=float, default=0.05,
        help='1 - confidence of the bounds (default 0.05)')
    add('--seed', type=int, default=0)
    add('--threads', type=int, default=1,
        help='torch CPU threads (default 1: steadier on a shared CPU)')
    add('--device', default='cpu', choices=['cpu', 'cuda'])
    add('--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value')
    args = parser.parse_args(argv)
    if args.runs < 4 or args.runs % 2:
        parser.error(f'argument --runs: must be even and >= 4 (half per '
                     f'world, split in two halves), got {args.runs}.')
    if not 0 < args.alpha < 1:
        parser.error(f'argument --alpha: must be in (0, 1), got '
                     f'{args.alpha}.')
    if args.threads < 1:
        parser.error(f'argument --threads: must be >= 1, got '
                     f'{args.threads}.')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('argument --device: cuda requested but torch sees no '
                     'GPU; use --device cpu.')
    return args


def build_audit(args) -> CanaryAudit:
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    audit = CanaryAudit(
        cfg, mode=args.mode, canary=args.canary,
        num_records=args.num_records,
        expected_batch_size=args.expected_batch_size, epochs=args.epochs,
        target_epsilon=args.target_epsilon, delta=args.delta,
        accountant=args.accountant, lr=args.lr, clip_len=args.clip_len,
        frame_interval=args.frame_interval, size=args.size,
        canary_label=args.canary_label, pattern_square=args.pattern_square,
        whole_video=not args.record_mask,
        clipping=args.clipping, seed=args.seed, device=args.device)
    audit.prepare()
    return audit


def _num(value, fmt='.3f', none='-') -> str:
    if value is None:
        return none
    return format(value, fmt)


def verdict(audit_result: dict, guarantee: dict, params: dict) -> str:
    """The plain-language conclusion of an audit."""
    bound = audit_result['epsilon_lower_bound']
    lo, hi = audit_result['epsilon_ci']
    conf = round(100 * (1 - audit_result['alpha']))
    found = (f'empirical epsilon lower bound {bound:.3f} ({conf}% one-sided; '
             f'point estimate {audit_result["epsilon_point"]:.3f}, {conf}% '
             f'CI [{lo:.3f}, {_num(hi, none="unbounded")}])')
    reach = (f'(the largest bound these runs can show is '
             f'{audit_result["max_detectable_epsilon"]:.3f})')
    if params['mode'] == 'none':
        return (f'Non-private training (mode none): {found} {reach}. No '
                'guarantee applies; a bound above 0 means the canary was '
                'detected.')
    if guarantee['epsilon'] is None:
        return (f'{found} {reach}. The {params["canary"]} canary is '
                f'{guarantee["why"]} A large bound here is expected and is '
                'not a failure of the guarantee.')
    eps = guarantee['epsilon']
    if bound <= eps:
        return (f'{found} vs accountant epsilon {eps:.3f} '
                f'({guarantee["adjacency"]}): consistent with the guarantee '
                f'{reach}.')
    return (f'{found} EXCEEDS the accountant epsilon {eps:.3f} '
            f'({guarantee["adjacency"]}): the implementation or the '
            f'accounting is wrong, or this is the {100 - conf}% chance of '
            'a bound failing. Investigate before trusting the guarantee.')


def write_markdown(path: str, report: dict) -> None:
    p, r, g = report['parameters'], report['result'], report['guarantee']
    ev, sel = r['evaluation'], r['selection']
    lines = [
        f'# Privacy audit: mode {p["mode"]}, {p["canary"]} canary', '',
        report['verdict'], '',
        '| quantity | value |', '|---|---|',
        f'| config | `{report["config"]}` |',
        f'| mode / canary | {p["mode"]} / {p["canary"]} |',
        f'| runs (with + without, complete pairs) | {report["runs_used"]} |',
        f'| records N / expected batch E / q | {p["num_records"]} / '
        f'{p["expected_batch_size"]} / {p["sample_rate"]:.4f} |',
        f'| steps (epochs x steps/epoch) | {p["steps"]} ({p["epochs"]} x '
        f'{p["steps_per_epoch"]}) |',
        f'| input (clips, C, T, H, W) | {tuple(p["input_shape"])} |',
        f'| noise multiplier sigma / clip C | {_num(p["noise_multiplier"])}'
        f' / {p["max_grad_norm"]} |',
        f'| delta / accountant | {p["delta"]} / {p["accountant"]} |',
        f'| accountant epsilon (add/remove) | '
        f'{_num(p["accountant_epsilon"])} |',
        f'| epsilon promised for this canary | {_num(g["epsilon"])} '
        f'({g["adjacency"] or "-"}) |',
        f'| fill / canary label / decoy label / canary video | {p["fill"]} '
        f'/ {p["canary_label"]} / {p["decoy_label"]} / `{p["canary_file"]}`'
        f'{" (whole video " + p["canary"] + ")" if p["whole_video"] else ""}'
        ' |',
        f'| score | {SCORE} |',
        f'| threshold | {r["rule"]}, threshold '
        f'{describe_threshold(r["threshold"])} ({r["split"]}) |',
        f'| selection half TP/P, FP/N | {sel["true_positives"]}/'
        f'{sel["positives"]}, {sel["false_positives"]}/{sel["negatives"]} |',
        f'| evaluation half TP/P, FP/N | {ev["true_positives"]}/'
        f'{ev["positives"]}, {ev["false_positives"]}/{ev["negatives"]} |',
        f'| epsilon lower bound ({round(100 * (1 - r["alpha"]))}% one-sided)'
        f' | {r["epsilon_lower_bound"]:.3f} |',
        f'| epsilon point estimate / CI | {r["epsilon_point"]:.3f} / '
        f'[{r["epsilon_ci"][0]:.3f}, '
        f'{_num(r["epsilon_ci"][1], none="unbounded")}] |',
        f'| largest bound these runs can show | '
        f'{r["max_detectable_epsilon"]:.3f} |',
        f'| mean seconds per run | {report["seconds_per_run"]:.2f} |', '',
        'Threat model: the attacker knows everything but which world it is '
        'in and queries the final model with full videos. A MaskDP bound '
        'covers only the sensitive part of a record; the non-sensitive part '
        '(avatar, figure) and the mask are public by design.', '']
    with open(path, 'w') as f:
        f.write('\n'.join(lines))


def analyse(log: AuditRunLog, pairs: int, alpha: float, delta: float
            ) -> dict:
    complete = log.complete_pairs(pairs)
    with_scores = {p: s for p, s in log.scores('with', pairs).items()
                   if p in complete}
    without_scores = {p: s for p, s in log.scores('without', pairs).items()
                      if p in complete}
    result = split_threshold_audit(with_scores, without_scores,
                                   delta=delta, alpha=alpha)
    ev = result['evaluation']
    result['max_detectable_epsilon'] = epsilon_lower_bound(
        true_positives=ev['positives'], positives=ev['positives'],
        false_positives=0, negatives=ev['negatives'], delta=delta,
        alpha=alpha)
    if math.isinf(result['threshold']):
        result['threshold'] = None  # never "member" (JSON has no inf)
    return result


def main(argv=None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    if not MMLogger.check_instance_created('audit_privacy'):
        MMLogger.get_instance('audit_privacy', log_level='WARNING')
    audit = build_audit(args)
    params = dict(audit.parameters(), config=args.config)
    out = args.out or osp.join('work_dirs', 'audit',
                               f'{audit.mode}_{audit.canary}')
    log = AuditRunLog(out, params)
    pairs = args.runs // 2
    todo = [(p, w) for p in range(pairs) for w in WORLDS
            if not log.done(p, w)]
    if len(todo) < 2 * pairs:
        print(f'{out}: {2 * pairs - len(todo)} of {2 * pairs} runs already '
              'done; continuing.')
    for pair, world in tqdm(todo, desc=f'audit {audit.mode}/{audit.canary}',
                            file=sys.stderr):
        log.append(audit.run(pair, world))
    result = analyse(log, pairs, args.alpha, audit.delta)
    guarantee = audit.guarantee()
    used = [r for (p, _), r in log.runs.items() if p < pairs]
    report = dict(
        config=args.config, parameters=params, guarantee=guarantee,
        result=result, score=SCORE, runs_used=len(used),
        seconds_per_run=sum(r['seconds'] for r in used) / max(len(used), 1),
        canary_steps_mean=sum(r['canary_steps'] for r in used) /
        max(len(used), 1),
        torch_threads=args.threads, device=args.device,
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'))
    report['verdict'] = verdict(result, guarantee, params)
    with open(osp.join(out, 'audit.json'), 'w') as f:
        json.dump(report, f, indent=2)
    write_markdown(osp.join(out, 'audit.md'), report)
    print(report['verdict'])
    print(f'Wrote {osp.join(out, "audit.json")} and '
          f'{osp.join(out, "audit.md")}')
    return report


if __name__ == '__main__':
    main()
