"""Hook that sets the noise, accounts every private step and reports it."""
import json
import os.path as osp
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS
from mmprivact.datasets.samplers import PoissonBatchSampler
from mmprivact.engine.optim_wrappers import MaskDPOptimWrapper
from mmprivact.privacy.accountant import (PrivacyAccountant,
                                          calibrate_noise_multiplier,
                                          epsilon_of_history)
from .private_train_step import EmptyBatchCollate, PrivateTrainStep

CHECKPOINT_KEY = 'privacy_accountant'


@HOOKS.register_module()
class PrivacyAccountantHook(Hook):
    """Sets sigma, accounts each step, stops at the budget, reports epsilon.

    Before training it reads the sampling rate ``q`` and dataset size from
    the :class:`PoissonBatchSampler`, takes ``noise_multiplier`` as given or
    calibrates it so that the planned number of steps (``max_iters``) spends
    exactly ``target_epsilon``, and hands sigma and ``E|B| = q N`` to the
    :class:`MaskDPOptimWrapper`. Every optimizer step (empty batches
    included) is recorded in a :class:`PrivacyAccountant`; ``train/epsilon``
    is logged every ``interval`` iterations; a step that would spend more
    than the budget is not taken and training stops with a log line. The
    accountant's history is saved in checkpoints and restored on
    ``--resume``, so epsilon continues. At the end ``WORK_DIR/privacy.json``
    records what ran.

    Args:
        noise_multiplier (float, optional): sigma. Exactly one of this and
            ``target_epsilon``.
        target_epsilon (float, optional): Budget for the planned steps;
            sigma is calibrated from it, and it is also the stopping budget.
        delta (float): Target delta. Defaults to 1e-5; use < 1 / N.
        accountant (str): ``'rdp'`` or ``'prv'``. Defaults to ``'rdp'``.
        max_epsilon (float, optional): Stopping budget when
            ``noise_multiplier`` is given. Defaults to no budget.
        interval (int): Iterations between epsilon updates in the log.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 *,
                 noise_multiplier: Optional[float] = None,
                 target_epsilon: Optional[float] = None,
                 delta: float = 1e-5,
                 accountant: str = 'rdp',
                 max_epsilon: Optional[float] = None,
                 interval: int = 10) -> None:
        if (noise_multiplier is None) == (target_epsilon is None):
            raise ValueError(
                'PrivacyAccountantHook needs exactly one of noise_multiplier '
                f'and target_epsilon, got noise_multiplier={noise_multiplier}'
                f' and target_epsilon={target_epsilon}.')
        if target_epsilon is not None and max_epsilon is not None:
            raise ValueError('target_epsilon is already the budget; remove '
                             'max_epsilon.')
        for name, value in (('noise_multiplier', noise_multiplier),
                            ('target_epsilon', target_epsilon),
                            ('max_epsilon', max_epsilon)):
            if value is not None and not value > 0:
                raise ValueError(f'{name} must be > 0, got {value!r}.')
        self.accountant = PrivacyAccountant(delta=delta,
                                            accountant=accountant)
        self.noise_multiplier = noise_multiplier
        self.target_epsilon = target_epsilon
        self.budget = (target_epsilon if target_epsilon is not None else
                       max_epsilon)
        self.interval = int(interval)
        self.sample_rate: Optional[float] = None
        self.dataset_size: Optional[int] = None
        self.max_steps: Optional[int] = None
        self.stopped_at_budget = False
        self._runner = None

    # -- set-up ----------------------------------------------------------
    def before_train(self, runner) -> None:
        """Check the wiring, set sigma, install the empty-batch path."""
        wrapper = runner.optim_wrapper
        if not isinstance(wrapper, MaskDPOptimWrapper):
            raise TypeError(
                'PrivacyAccountantHook accounts for MaskDPOptimWrapper steps '
                f'but the optim wrapper is {type(wrapper).__name__}. Set '
                "optim_wrapper=dict(type='MaskDPOptimWrapper', "
                'max_grad_norm=..., optimizer=...).')
        loader = runner.train_dataloader
        sampler = loader.batch_sampler
        if not isinstance(sampler, PoissonBatchSampler):
            raise TypeError(
                'The privacy accounting assumes Poisson sampling, but the '
                f'train batch sampler is {type(sampler).__name__}. Set '
                "train_dataloader.batch_sampler=dict(type="
                "'PoissonBatchSampler').")
        self._runner = runner
        self.sample_rate = sampler.sample_rate
        self.dataset_size = sampler.num_records
        planned = runner.train_loop.max_iters
        model = runner.model
        model.train()
        wrapper.attach(model)
        self._install_iteration_changes(runner)
        if not wrapper.is_private:
            runner.logger.warning(
                "Privacy: mode='none' (data_preprocessor.mode): ordinary, "
                'non-private training with Poisson batches; no epsilon is '
                'reported.')
            return
        if self.target_epsilon is not None:
            self.noise_multiplier = calibrate_noise_multiplier(
                target_epsilon=self.target_epsilon,
                delta=self.accountant.delta, sample_rate=self.sample_rate,
                steps=planned, accountant=self.accountant.accountant)
        wrapper.configure_privacy(
            noise_multiplier=self.noise_multiplier,
            expected_batch_size=self.sample_rate * self.dataset_size)
        if self.accountant.steps != wrapper.private_steps:
            raise RuntimeError(
                f'The checkpoint holds {wrapper.private_steps} private steps '
                f'but an accountant history of {self.accountant.steps}; it '
                'was not written by this hook and MaskDPOptimWrapper '
                'together. Resume from a checkpoint of the same run.')
        self.max_steps = self._steps_within_budget(planned)
        predicted = epsilon_of_history(
            self.accountant.history + [(self.noise_multiplier,
                                        self.sample_rate,
                                        planned - self.accountant.steps)],
            delta=self.accountant.delta,
            accountant=self.accountant.accountant)
        runner.logger.info(
            f'Privacy: mode={wrapper.mode}, noise_multiplier='
            f'{self.noise_multiplier:.4f}, max_grad_norm='
            f'{wrapper.max_grad_norm}, sample_rate={self.sample_rate:.5f} '
            f'(expected batch {self.sample_rate * self.dataset_size:.1f} of '
            f'{self.dataset_size}), {planned} planned steps '
            f'({self.accountant.steps} done), delta={self.accountant.delta}'
            f', accountant={self.accountant.accountant}: epsilon '
            f'{self.accountant.get_epsilon():.3f} now, {predicted:.3f} at '
            'the end' + (f', budget {self.budget}' if self.budget else ''))

    def _install_iteration_changes(self, runner) -> None:
        """Empty-batch collate, gated train step, current-epsilon log."""
        loader, model = runner.train_dataloader, runner.model
        if not isinstance(loader.collate_fn, EmptyBatchCollate):
            loader.collate_fn = EmptyBatchCollate(loader.collate_fn)
        if not isinstance(getattr(model, 'train_step', None),
                          PrivateTrainStep):
            model.train_step = PrivateTrainStep(model.train_step,
                                                self._may_step)
        custom = runner.log_processor.custom_cfg
        if not any(c.get('data_src') == 'epsilon' for c in custom):
            # The smoothed mean of a growing epsilon would under-report it.
            custom.append(dict(data_src='epsilon', method_name='current'))

    def _steps_within_budget(self, planned: int) -> Optional[int]:
        """Total steps the budget allows (None: no budget)."""
        if self.budget is None:
            return None

        def fits(total):
            extra = total - self.accountant.steps
            return self.accountant.epsilon_after(
                noise_multiplier=self.noise_multiplier,
                sample_rate=self.sample_rate,
                num_steps=extra) <= self.budget if extra > 0 else True

        done = self.accountant.steps
        if fits(max(planned, done)):
            return max(planned, done)
        low, high = done, max(planned, done)  # fits(low), not fits(high)
        if not fits(low):
            return done
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if fits(mid) else (low, mid)
        return low

    def _may_step(self) -> bool:
        if self.max_steps is None or self.accountant.steps < self.max_steps:
            return True
        if not self.stopped_at_budget:
            self.stopped_at_budget = True
            self._runner.train_loop.stop_training = True
            self._runner.logger.warning(
                f'Privacy budget reached: epsilon='
                f'{self.accountant.get_epsilon():.4f} after '
                f'{self.accountant.steps} steps; another step would exceed '
                f'{self.budget} (delta={self.accountant.delta}). Stopping '
                'training; the remaining iterations of this epoch take no '
                'step.')
        return False

    # -- accounting ------------------------------------------------------
    def _record(self, runner) -> None:
        if not runner.optim_wrapper.is_private:
            return
        new = runner.optim_wrapper.private_steps - self.accountant.steps
        if new > 0:
            self.accountant.step(noise_multiplier=self.noise_multiplier,
                                 sample_rate=self.sample_rate,
                                 num_steps=new)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Record the step; log epsilon every ``interval`` iterations."""
        self._record(runner)
        if not runner.optim_wrapper.is_private:
            return
        if (self.every_n_train_iters(runner, self.interval)
                or self.is_last_train_iter(runner)):
            runner.message_hub.update_scalar('train/epsilon',
                                             self.accountant.get_epsilon())

    def after_train_epoch(self, runner) -> None:
        """Epsilon at the end of the epoch, in the log and message hub."""
        if not runner.optim_wrapper.is_private:
            return
        epsilon = self.accountant.get_epsilon()
        runner.message_hub.update_scalar('train/epsilon', epsilon)
        runner.logger.info(f'Privacy after epoch {runner.epoch + 1}: '
                           f'epsilon={epsilon:.4f} (delta='
                           f'{self.accountant.delta}, '
                           f'{self.accountant.steps} steps)')

    # -- checkpoints -----------------------------------------------------
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the accountant history with the checkpoint."""
        checkpoint[CHECKPOINT_KEY] = dict(
            self.accountant.state_dict(),
            noise_multiplier=self.noise_multiplier,
            sample_rate=self.sample_rate)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """On resume, continue the history; never restart epsilon."""
        state = checkpoint.get(CHECKPOINT_KEY)
        resuming = bool(getattr(runner, '_resume', False))
        if resuming:
            if state is None:
                raise RuntimeError(
                    'The checkpoint to resume has no privacy accountant '
                    'state: it was not written by a private run, and '
                    'resuming would report epsilon as if the earlier steps '
                    'were free. Resume a checkpoint of this private run, or '
                    'start from the weights with load_from (and account '
                    'for that training separately).')
            self.accountant.load_state_dict(state)
            runner.logger.info(
                f'Privacy accountant resumed: {self.accountant.steps} steps, '
                f'epsilon={self.accountant.get_epsilon():.4f}.')
        elif state is not None:
            runner.logger.warning(
                'load_from: the weights come from a private run of '
                f'{sum(h[2] for h in state["history"])} steps. If it '
                'trained on this dataset, its epsilon composes with this '
                "run's; use --resume to continue the accounting instead.")

    # -- report ----------------------------------------------------------
    def report(self, runner) -> dict:
        """What ran and what it cost, as written to ``privacy.json``."""
        wrapper = runner.optim_wrapper
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        preprocessor = model.data_preprocessor
        fill = getattr(preprocessor, 'fill_description', None)
        if fill is None:
            fill = f'constant({getattr(preprocessor, "fill_value", None)})'
        private = wrapper.is_private
        return dict(
            mode=wrapper.mode,
            private=private,
            # null when not private: no finite epsilon holds.
            epsilon=self.accountant.get_epsilon() if private else None,
            delta=self.accountant.delta,
            accountant=self.accountant.accountant,
            noise_multiplier=self.noise_multiplier if private else None,
            max_grad_norm=wrapper.max_grad_norm if private else None,
            sample_rate=self.sample_rate,
            expected_batch_size=self.sample_rate * self.dataset_size,
            steps=self.accountant.steps,
            dataset_size=self.dataset_size,
            target_epsilon=self.target_epsilon,
            budget=self.budget,
            stopped_at_budget=self.stopped_at_budget,
            fill=fill if wrapper.mode == 'maskdp' else None,
            mask_at_test=bool(getattr(preprocessor, 'mask_at_test', False)),
            secure_mode=wrapper.secure_mode,
            history=[list(h) for h in self.accountant.history])

    def after_train(self, runner) -> None:
        """Log the final epsilon and write ``WORK_DIR/privacy.json``."""
        self._record(runner)
        report = self.report(runner)
        if report['private']:
            runner.logger.info(
                f'Privacy spent: epsilon={report["epsilon"]:.4f} at delta='
                f'{report["delta"]} ({report["accountant"]}), '
                f'{report["steps"]} steps, noise_multiplier='
                f'{report["noise_multiplier"]:.4f}, mode={report["mode"]}.')
        if is_main_process():
            path = osp.join(runner.work_dir, 'privacy.json')
            with open(path, 'w') as f:
                json.dump(report, f, indent=2)
            runner.logger.info(f'Privacy report written to {path}')
