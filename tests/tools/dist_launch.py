"""Launch ``tools/dist_train.sh`` with two CPU ranks (gloo) for a test."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def dist_train_two_ranks(config, work, options, *, port: int,
                         home) -> str:
    """Train ``config`` on two ranks into ``work``; return the output.

    Fails the test, with the end of the output, if the launch does not exit
    with 0 (a rank that aborts at exit counts).
    """
    env = dict(os.environ, MMPRIVACT_HOME=str(home), PYTHON=sys.executable,
               PORT=str(port), OMP_NUM_THREADS='1')
    res = subprocess.run(
        ['bash', str(REPO / 'tools' / 'dist_train.sh'), str(config), '2',
         '--work-dir', str(work), '--cfg-options', *options],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert 'Distributed training: True' in out
    return out
