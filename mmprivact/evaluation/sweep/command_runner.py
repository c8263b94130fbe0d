"""Run one sweep command (``tools/train.py`` / ``tools/test.py``) to a log."""
import os
import os.path as osp
import subprocess
from typing import Optional, Sequence

#: Characters of a failed command's output kept in errors and status.json.
TAIL_CHARS = 3000


def log_tail(path: str, chars: int = TAIL_CHARS) -> str:
    """The last ``chars`` characters of a text file ('' if absent)."""
    if not osp.isfile(path):
        return ''
    with open(path, 'rb') as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 4 * chars))
        text = f.read().decode('utf-8', errors='replace')
    return text[-chars:]


class CommandFailedError(RuntimeError):
    """A sweep command exited with a non-zero status.

    Args:
        cmd (Sequence[str]): The command.
        returncode (int): Its exit status.
        log_file (str): Where its output went.
    """

    def __init__(self, cmd: Sequence[str], returncode: int,
                 log_file: str) -> None:
        self.cmd = list(cmd)
        self.returncode = returncode
        self.log_file = log_file
        super().__init__(
            f'{" ".join(self.cmd)} exited with {returncode} (full output: '
            f'{log_file}):\n{log_tail(log_file)}')


class CommandRunner:
    """Runs a command in the repository root, output appended to a log file.

    The sweep calls ``runner(cmd, log_file)`` for every training and test
    command; tests replace it with a fake that writes what the real
    commands would.

    Args:
        cwd (str): Working directory (the repository root, where
            ``tools/`` lives).
        env (dict, optional): Environment; defaults to this process's, with
            ``PYTHONUNBUFFERED=1`` so the log follows the run.
    """

    def __init__(self, cwd: str, env: Optional[dict] = None) -> None:
        self.cwd = cwd
        self.env = dict(os.environ if env is None else env,
                        PYTHONUNBUFFERED='1')

    def __call__(self, cmd: Sequence[str], log_file: str) -> None:
        """Run ``cmd`` to completion.

        Args:
            cmd (Sequence[str]): The command line.
            log_file (str): File its stdout and stderr are appended to.

        Raises:
            CommandFailedError: If it exits with a non-zero status.
        """
        os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
        with open(log_file, 'a') as log:
            log.write(f'$ {" ".join(cmd)}\n')
            log.flush()
            returncode = subprocess.call(list(cmd), cwd=self.cwd,
                                         env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT)
        if returncode != 0:
            raise CommandFailedError(cmd, returncode, log_file)


__all__ = ['CommandRunner', 'CommandFailedError', 'log_tail']
