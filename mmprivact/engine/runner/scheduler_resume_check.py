"""Say what MMEngine's resume does to parameter schedulers that differ from
the checkpoint's.

``Runner.resume`` pairs the schedulers the config builds with the states in
the checkpoint by position (``zip``) and loads each state whole. Three cases
then go unannounced:

* a scheduler the checkpoint does not hold (added to the config, or the
  checkpoint had none) starts fresh at the resumed epoch, so its ``begin``
  and ``end`` count from the resume, not from the start of training;
* a checkpoint state without a scheduler in the config is dropped;
* a scheduler whose settings changed (``T_max``, ``milestones``, ``end``,
  or another scheduler type at that position) runs with the checkpoint's
  settings, not the config's.

:func:`resumed_scheduler_warnings` names each case, with the epochs a
fresh scheduler will act on and what to change.
"""
from typing import Dict, List, Optional, Sequence, Union

#: State entries that record progress, not settings.
RUN_STATE_KEYS = frozenset({
    'base_values', 'last_step', '_global_step', 'verbose', '_last_value',
    '_get_value_called_within_step'
})

Schedulers = Union[Sequence, Dict[str, Sequence]]


def _settings(state: Dict) -> Dict:
    return {k: v for k, v in state.items() if k not in RUN_STATE_KEYS}


def _by_name(schedulers: Optional[Schedulers]) -> Dict[Optional[str], List]:
    """``{optimizer name: [scheduler or state, ...]}``; a plain list (one
    optimizer) is keyed ``None``."""
    if schedulers is None:
        return {}
    if isinstance(schedulers, dict):
        return {name: list(items) for name, items in schedulers.items()}
    return {None: list(schedulers)}


def _label(name: Optional[str], index: int, scheduler) -> str:
    where = f'param_scheduler[{index}]' if name is None else \
        f'param_scheduler[{name!r}][{index}]'
    return f'{where} ({type(scheduler).__name__})'


def _fresh_span(scheduler, epoch: int, iteration: int) -> str:
    begin, end = scheduler.begin, scheduler.end
    if scheduler.by_epoch:
        unit, start = 'epochs', epoch
    else:
        unit, start = 'iterations', iteration
    last = 'the end' if end >= 10**8 else f'{start + end}'
    return (f'it acts on {unit} {start + begin + 1} to {last} (begin={begin}, '
            f'end={end} counted from the resume at {unit[:-1]} {start})')


def _differs(a, b) -> bool:
    """``a != b`` for settings of any type (arrays compare by text)."""
    try:
        return bool(a != b)
    except (TypeError, ValueError, RuntimeError):
        return repr(a) != repr(b)


def scheduler_settings(scheduler) -> Dict:
    """A scheduler's settings: its state without the progress entries."""
    return _settings(scheduler.state_dict())


def resumed_scheduler_warnings(built: Optional[Schedulers],
                               saved: Optional[Schedulers],
                               configured: Dict[int, Dict],
                               *,
                               epoch: int,
                               iteration: int,
                               checkpoint: str = 'the checkpoint'
                               ) -> List[str]:
    """Messages for every scheduler the resume did not restore as
    configured.

    Args:
        built (list | dict, optional): The runner's schedulers after the
            resume (a list, or one list per optimizer of an
            ``OptimWrapperDict``).
        saved (list | dict, optional): ``checkpoint['param_schedulers']``
            (their states, same layout); None if the checkpoint has none.
        configured (dict): ``{id(scheduler): scheduler_settings(...)}``
            taken when the config's schedulers were built, before the
            resume loaded the checkpoint's states into them.
        epoch (int): The resumed epoch.
        iteration (int): The resumed iteration.
        checkpoint (str): The checkpoint's name, for the messages.

    Returns:
        list[str]: One message per case; empty when the config's
        schedulers match the checkpoint's.
    """
    built_by_name, saved_by_name = _by_name(built), _by_name(saved)
    messages = []
    for name, schedulers in built_by_name.items():
        states = saved_by_name.get(name, [])
        for index, scheduler in enumerate(schedulers):
            label = _label(name, index, scheduler)
            if index >= len(states):
                messages.append(
                    f'{label} is not in {checkpoint}, so it starts fresh at '
                    f'the resume: {_fresh_span(scheduler, epoch, iteration)}.'
                    ' If its begin and end were meant as epochs of the whole '
                    'run, subtract the resumed epoch from them (or train '
                    'from the start).')
                continue
            wanted = configured.get(id(scheduler))
            if wanted is None:
                continue  # built elsewhere; nothing to compare with
            restored = _settings(states[index])
            if set(wanted) != set(restored):
                messages.append(
                    f'{label}: the state at this position in {checkpoint} '
                    f'is another kind of scheduler\'s (settings '
                    f'{sorted(restored)}), and MMEngine loads it anyway. '
                    'Keep the checkpoint\'s schedulers first and in order '
                    '(add new ones after them), or train from the start.')
                continue
            changed = [(k, wanted[k], restored[k]) for k in wanted
                       if _differs(wanted[k], restored[k])]
            if changed:
                listed = ', '.join(f'{k}={new!r} (config: {old!r})'
                                   for k, old, new in changed)
                messages.append(
                    f'{label} runs with the settings saved in {checkpoint}: '
                    f'{listed}. MMEngine restores a scheduler\'s settings '
                    'with its state; train from the start to use the '
                    'config\'s.')
        if len(states) > len(schedulers):
            where = 'param_scheduler' if name is None else \
                f'param_scheduler[{name!r}]'
            messages.append(
                f'{checkpoint} holds {len(states)} schedulers for {where}, '
                f'the config builds {len(schedulers)}: the last '
                f'{len(states) - len(schedulers)} are dropped.')
    for name, states in saved_by_name.items():
        if name not in built_by_name and states:
            what = 'the optimizer' if name is None else \
                f'optimizer {name!r}'
            messages.append(
                f'{checkpoint} holds schedulers for {what}, which the config '
                'does not schedule; they are dropped.')
    return messages
