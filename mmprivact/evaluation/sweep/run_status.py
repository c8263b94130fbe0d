"""Per-run ``status.json``: what a sweep run has done, for resuming it."""
import json
import os
import os.path as osp
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

#: Run states. ``running`` found at the start of a sweep means the process
#: that ran it died: the run is resumed.
STATES = ('pending', 'running', 'done', 'failed')
STATUS_FILE = 'status.json'


def write_json(path: str, data: Any) -> None:
    """Write JSON atomically (a crash leaves the old file or the new one)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


@dataclass
class RunStatus:
    """State of one run, saved as ``RUN_DIR/status.json``.

    Attributes:
        name (str): The run's name.
        state (str): One of :data:`STATES`.
        attempts (int): Invocations that worked on the run.
        phases (dict): Finished phases (``'train'``, ``'test_full'``,
            ``'test_masked_view'``) -> True, so a resumed run only redoes
            what is missing.
        train_seconds (float): Training wall time over all attempts.
        error (str | None): Tail of the last failure's output.
        commands (list[str]): The command lines of the last attempt.
        checkpoint (str | None): The tested checkpoint.
        updated (str): Local time of the last change.
    """

    name: str
    state: str = 'pending'
    attempts: int = 0
    phases: Dict[str, bool] = field(default_factory=dict)
    train_seconds: float = 0.0
    error: Optional[str] = None
    commands: List[str] = field(default_factory=list)
    checkpoint: Optional[str] = None
    updated: str = ''

    @classmethod
    def load(cls, run_dir: str, name: str) -> 'RunStatus':
        """Read ``run_dir/status.json``; a new pending status if absent.

        Args:
            run_dir (str): The run's folder.
            name (str): The run's name (checked against the file's).

        Returns:
            RunStatus: The saved status.

        Raises:
            ValueError: If the file is not a status of this run.
        """
        path = osp.join(run_dir, STATUS_FILE)
        if not osp.isfile(path):
            return cls(name=name)
        try:
            with open(path) as f:
                data = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path} is not valid JSON ({err}); delete it '
                             'to start this run over.') from None
        if data.get('name') != name or data.get('state') not in STATES:
            raise ValueError(
                f'{path} is not the status of run {name!r} (name '
                f'{data.get("name")!r}, state {data.get("state")!r}); delete '
                'it to start this run over.')
        known = {k: v for k, v in data.items()
                 if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, run_dir: str) -> None:
        """Write ``run_dir/status.json`` (atomically)."""
        self.updated = time.strftime('%Y-%m-%d %H:%M:%S')
        write_json(osp.join(run_dir, STATUS_FILE), asdict(self))


__all__ = ['RunStatus', 'STATES', 'STATUS_FILE', 'write_json']
