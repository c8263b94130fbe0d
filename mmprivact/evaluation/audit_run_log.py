"""Resumable record of an audit's runs: parameters and one JSON line a run."""
import json
import os
import os.path as osp
from typing import Dict, List, Mapping, Tuple

PARAMS_FILE = 'audit_params.json'
RUNS_FILE = 'runs.jsonl'


class AuditRunLog:
    """Keeps an audit's runs in ``OUT/runs.jsonl``, so it can resume.

    The first call writes the audit's parameters to
    ``OUT/audit_params.json``; a later call with other parameters is
    refused (its runs would be a different experiment). Every finished run
    is appended as one JSON line and flushed, so an interrupted audit loses
    at most the run in progress; a truncated last line is ignored.

    Args:
        out_dir (str): Output folder (created).
        parameters (Mapping): JSON-serialisable parameters of the runs.
    """

    def __init__(self, out_dir: str, parameters: Mapping) -> None:
        os.makedirs(out_dir, exist_ok=True)
        self.out_dir = out_dir
        self.parameters = json.loads(json.dumps(dict(parameters)))
        params_path = osp.join(out_dir, PARAMS_FILE)
        if osp.isfile(params_path):
            with open(params_path) as f:
                stored = json.load(f)
            differ = sorted(k for k in set(stored) | set(self.parameters)
                            if stored.get(k) != self.parameters.get(k))
            if differ:
                detail = ', '.join(
                    f'{k}: {stored.get(k)!r} there, {self.parameters.get(k)!r}'
                    ' now' for k in differ[:6])
                raise ValueError(
                    f'{out_dir} holds an audit with other parameters '
                    f'({detail}). Use another --out for these settings, or '
                    'repeat the original ones to continue it.')
        else:
            with open(params_path, 'w') as f:
                json.dump(self.parameters, f, indent=2)
        self.path = osp.join(out_dir, RUNS_FILE)
        self.runs: Dict[Tuple[int, str], Dict] = {}
        if osp.isfile(self.path):
            with open(self.path) as f:
                for line in f:
                    try:
                        run = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a run cut off while being written
                    self.runs[(int(run['pair']), run['world'])] = run

    def done(self, pair: int, world: str) -> bool:
        """Whether this run is already recorded."""
        return (int(pair), world) in self.runs

    def append(self, run: Mapping) -> None:
        """Record a finished run (keys ``pair`` and ``world`` at least)."""
        run = dict(run)
        key = (int(run['pair']), run['world'])
        if key in self.runs:
            raise ValueError(f'Run {key} is already recorded in {self.path}.')
        with open(self.path, 'a') as f:
            f.write(json.dumps(run) + '\n')
            f.flush()
            os.fsync(f.fileno())
        self.runs[key] = run

    def scores(self, world: str, pairs: int) -> Dict[int, float]:
        """Score per pair index of ``world``, for pairs ``< pairs``."""
        return {p: float(r['score']) for (p, w), r in self.runs.items()
                if w == world and p < pairs}

    def complete_pairs(self, pairs: int) -> List[int]:
        """Pair indices ``< pairs`` with both worlds recorded."""
        return [p for p in range(pairs)
                if self.done(p, 'with') and self.done(p, 'without')]
