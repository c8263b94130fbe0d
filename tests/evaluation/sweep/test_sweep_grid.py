"""Sweep configs: validation errors, grid expansion, run overrides."""
import pytest
from mmengine.config import Config, DictAction

from mmprivact.evaluation.sweep import SweepGrid
from mmprivact.evaluation.sweep.run_overrides import (dataset_key,
                                                      format_cfg_options,
                                                      privacy_hook_index)
from .fakes import CONFIGS, REPO, make_data_root, write_sweep


@pytest.fixture
def data_root(tmp_path):
    return make_data_root(tmp_path / 'data')


def _grid(tmp_path, data_root, **values):
    return SweepGrid(str(write_sweep(tmp_path / 'sweep.py', data_root,
                                     **values)), base_dir=str(REPO))


def _apply(config: str, options: list) -> Config:
    """What tools/train.py does with --cfg-options."""
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({
        k: DictAction._parse_iterable(v)
        for k, v in (item.split('=', 1) for item in options)
    })
    return cfg


def test_grid_expands_seed_by_seed(tmp_path, data_root):
    grid = _grid(tmp_path, data_root, seeds=[0, 1], epsilons=[1, 8])
    names = [run.name for run in grid.runs()]
    per_seed = ['nonprivate_seed{s}', 'dpsgd_eps1_seed{s}',
                'dpsgd_eps8_seed{s}', 'maskdp_eps1_seed{s}',
                'maskdp_eps8_seed{s}']
    assert names == [n.format(s=0) for n in per_seed] + [
        n.format(s=1) for n in per_seed]
    assert [m.private for m in grid.methods] == [False, True, True]
    assert grid.reference == 'nonprivate'
    run = grid.runs()[8]  # maskdp eps 1, seed 1
    assert (run.method.name, run.target_epsilon, run.seed) == ('maskdp', 1.0,
                                                               1)
    assert run.views == ['full', 'masked_view']
    cfg = _apply(run.method.config, run.cfg_options)
    assert cfg.custom_hooks[0].target_epsilon == 1.0
    assert cfg.randomness.seed == 1
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.data_root == str(data_root)
    # Non-private runs get no epsilon override.
    assert not any('target_epsilon' in o for o in grid.runs()[0].cfg_options)


def test_epsilon_goes_to_the_accountant_wherever_it_is(tmp_path, data_root):
    """The hook is found by type, not assumed at index 0; a config that
    sets noise_multiplier gets it cleared so target_epsilon is the one."""
    config = tmp_path / 'hook_second.py'
    config.write_text(
        f"_base_ = ['{REPO / CONFIGS['maskdp']}']\n"
        "custom_hooks = [dict(type='EmptyCacheHook'),\n"
        "                dict(type='PrivacyAccountantHook',\n"
        "                     noise_multiplier=1.3, delta=1e-5)]\n")
    grid = _grid(tmp_path, data_root, epsilons=[2],
                 methods=dict(maskdp=dict(config=str(config))))
    options = grid.runs()[0].cfg_options
    assert 'custom_hooks.1.target_epsilon=2.0' in options
    assert 'custom_hooks.1.noise_multiplier=None' in options
    hooks = _apply(str(config), options).custom_hooks
    assert hooks[0] == dict(type='EmptyCacheHook')
    assert hooks[1].target_epsilon == 2.0 and hooks[1].noise_multiplier is None


def test_privacy_hook_is_found_with_a_registry_scope_and_only_once():
    hooks = [dict(type='EmptyCacheHook'),
             dict(type='mmprivact.PrivacyAccountantHook')]
    assert privacy_hook_index(dict(custom_hooks=hooks)) == 1
    assert privacy_hook_index(dict(custom_hooks=hooks[:1])) is None
    with pytest.raises(ValueError, match='keep one'):
        privacy_hook_index(dict(custom_hooks=hooks + hooks[1:]))


def test_sweep_and_method_options_reach_every_run(tmp_path, data_root):
    grid = _grid(tmp_path, data_root, epsilons=[1],
                 cfg_options={'train_cfg.max_epochs': 3},
                 methods=dict(maskdp=dict(
                     config=CONFIGS['maskdp'],
                     cfg_options={'model.data_preprocessor.fill': 'constant',
                                  'optim_wrapper.optimizer.lr': 1e-3})))
    cfg = _apply(grid.runs()[0].method.config, grid.runs()[0].cfg_options)
    assert cfg.train_cfg.max_epochs == 3
    assert cfg.model.data_preprocessor.fill == 'constant'
    assert cfg.optim_wrapper.optimizer.lr == 1e-3


def test_dataset_key_follows_wrappers():
    cfg = dict(train_dataloader=dict(dataset=dict(
        type='RepeatDataset', times=2, dataset=dict(type='VideoDataset',
                                                    ann_file='a.txt'))))
    key, dataset = dataset_key(cfg, 'train')
    assert key == 'train_dataloader.dataset.dataset'
    assert dataset['ann_file'] == 'a.txt'
    assert dataset_key(cfg, 'val') is None


def test_cfg_options_round_trip_or_are_refused():
    options = {'a.b': 1, 'c': 0.5, 'd': True, 'e': None, 'f': 'constant',
               'g': [1, 2.5], 'h': (3, 4), 'i': 1e-5}
    parsed = {k: DictAction._parse_iterable(v) for k, v in (
        s.split('=', 1) for s in format_cfg_options(options))}
    assert parsed == options
    assert isinstance(parsed['h'], tuple) and isinstance(parsed['g'], list)
    with pytest.raises(ValueError, match='dotted keys'):
        format_cfg_options({'model': dict(a=1)})
    with pytest.raises(ValueError, match='cannot be passed'):
        format_cfg_options({'x': 'a,b'})
    with pytest.raises(ValueError, match='read back as a number'):
        format_cfg_options({'x': '1'})


@pytest.mark.parametrize('values, error, match', [
    (dict(epochs=3), ValueError, r"unknown key\(s\) \['epochs'\]"),
    (dict(methods=dict(m=dict(config=CONFIGS['maskdp'], lr=1))), ValueError,
     r"methods\['m'\]: unknown key\(s\) \['lr'\]"),
    (dict(methods=dict(m=dict(config='configs/none.py'))), FileNotFoundError,
     "config 'configs/none.py' not found"),
    (dict(methods=dict(m=dict(private=True))), ValueError,
     "has no 'config'"),
    (dict(methods={}), ValueError, 'methods must be a non-empty dict'),
    (dict(epsilons=[]), ValueError, r"private method\(s\) \['dpsgd', "
     r"'maskdp'\] need epsilons"),
    (dict(epsilons=[1, -2]), ValueError, 'numbers > 0'),
    (dict(seeds=[0, 0]), ValueError, 'repeat'),
    (dict(methods=dict(m=dict(config=CONFIGS['nonprivate'], private=True))),
     ValueError, "private=True but the config trains with data_preprocessor "
     "mode='none'; set private=False"),
    (dict(methods=dict(m=dict(config=CONFIGS['minimax'],
                              test_masked_view=True))),
     ValueError, 'test_masked_view=True needs'),
    (dict(methods=dict(m=dict(config=CONFIGS['minimax'],
                              kind='recognizer'))),
     ValueError, "set kind='minimax'"),
    (dict(methods=dict(m=dict(config=CONFIGS['maskdp'])),
          reference='m'), ValueError, 'must name a non-private recognizer'),
    (dict(methods={'a b': dict(config=CONFIGS['maskdp'])}), ValueError,
     'folder names'),
])
def test_bad_sweep_configs_are_refused_clearly(tmp_path, data_root, values,
                                               error, match):
    with pytest.raises(error, match=match) as err:
        _grid(tmp_path, data_root, **values)
    assert str(tmp_path / 'sweep.py') in str(err.value)


def test_missing_data_fails_for_required_and_skips_optional(tmp_path,
                                                            data_root):
    missing = tmp_path / 'avatar'
    methods = dict(
        maskdp=dict(config=CONFIGS['maskdp']),
        avatar_maskdp=dict(config=CONFIGS['maskdp'], data_root=str(missing),
                           optional=True))
    grid = _grid(tmp_path, data_root, epsilons=[1], methods=methods)
    assert [r.name for r in grid.runs()] == ['maskdp_eps1_seed0']
    assert grid.skipped() == {
        'avatar_maskdp': f'data root {missing} not found'}
    # Folder present, annotation lists absent: named in the reason.
    missing.mkdir()
    grid = _grid(tmp_path, data_root, epsilons=[1], methods=methods)
    assert 'train.txt' in grid.skipped()['avatar_maskdp']
    # A required method without data stops the sweep with the fix.
    with pytest.raises(FileNotFoundError, match='generate_synthetic.py'):
        _grid(tmp_path, data_root, epsilons=[1], methods=dict(
            maskdp=dict(config=CONFIGS['maskdp'], data_root=str(missing))))
    # Every method skipped: an empty grid is an error.
    with pytest.raises(ValueError, match='grid is empty'):
        _grid(tmp_path, data_root, epsilons=[1], methods=dict(
            a=dict(config=CONFIGS['maskdp'], data_root=str(missing),
                   optional=True)))
    # Without the data check (e.g. validating configs on CI) nothing skips.
    grid = SweepGrid(str(tmp_path / 'sweep.py'), base_dir=str(REPO),
                     check_data=False)
    assert grid.skipped() == {}
