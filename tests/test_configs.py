"""Every runnable config loads, builds its model and fails clearly w/o data.

Configs are discovered (every ``configs/**/*.py`` outside ``configs/_base_``),
so configs added later are covered without editing this file.

File names follow ``{algorithm}_{backbone}_{privacy}_{schedule}_{dataset}.py``
(five ``_``-separated fields; use ``-`` inside a field). The privacy field
is one of :data:`PRIVACY_TAGS`, optionally followed by parameters:
``-eps<number>`` (a DP budget), ``-c<number>`` (the clip norm C) and/or
``-b<number>`` (the minimax budget B), then for minimax variants
``-wb<number>`` (the privacy weight w_B), ``-lam<number>`` (the penalty
weight lambda), ``-lra<number>`` (f_A's learning rate, where it differs
from f_T's and f_B's), ``-lrb<number>`` (f_B's, where it differs from
f_T's), ``-nocolour`` (f_B's views without colour
augmentation), ``-person`` (f_B sees only the person mask) and ``-crop``
(f_B's frames also cropped around it, after ``-person``), e.g.
``maskdp-eps1-c0.1``, ``minimax-b0.5``,
``minimax-b0.9-wb5-lam10-lra0.0004-nocolour``. Extend the list here when a new
privacy method is added.
"""
import copy
import os.path as osp
import re
from pathlib import Path
from typing import List, Optional

import pytest
import torch
from mmengine import Config
from mmengine.registry import init_default_scope

from mmprivact.evaluation.sweep.run_overrides import privacy_hook_index

#: Allowed privacy tags (field 3 of a config name), see the module docstring.
PRIVACY_TAGS = (
    'nonprivate',  # ordinary training on raw videos
    'dpsgd',  # standard DP-SGD on the full videos
    'maskdp',  # masked DP (sensitive region only)
    'avatar',  # avatar-anonymized videos, non-private training
    'avatar-dpsgd',  # avatar-anonymized videos + DP-SGD
    'avatar-maskdp',  # avatar-anonymized videos + MaskDP (the paper's)
    'minimax',  # penalty-driven minimax anonymization
    'blur',  # obfuscation baselines
    'pixelate',
    'blackout',
)
_NUMBER = r'\d+(?:\.\d+)?'
_PARAMS = ('eps', 'c', 'b', 'wb', 'lam', 'lra', 'lrb')
PRIVACY_RE = re.compile(
    r'^(?:%s)%s(?:-nocolour)?(?:-person(?:-crop)?)?$' %
    ('|'.join(re.escape(tag) for tag in PRIVACY_TAGS), ''.join(
        r'(?:-%s%s)?' % (name, _NUMBER) for name in _PARAMS)))
TOKEN_RE = re.compile(r'^[a-z0-9][a-z0-9.+-]*$')
#: Schedule: ``{gpus}xb{batch}`` then ``-``-separated parts, one of which is
#: the length (``100e`` epochs or ``20k``/``20kiters``/``500iters``).
SCHEDULE_RE = re.compile(r'^\d+xb\d+(?:-[a-z0-9.]+)*$')
LENGTH_RE = re.compile(r'^\d+(?:e|k|kiters?|iters?)$')

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / 'configs'


#: Folders of non-training configs (checked by their own tests below).
NOT_TRAINING = ('_base_', 'anonymization', 'sweeps')


def discover_configs() -> List[Path]:
    """All training configs: ``configs/**/*.py`` outside ``_base_``, the
    anonymizer and the sweep configs, sorted."""
    return sorted(p for p in CONFIG_DIR.rglob('*.py')
                  if not set(NOT_TRAINING)
                  & set(p.relative_to(CONFIG_DIR).parts))


ANONYMIZER_CONFIGS = sorted((CONFIG_DIR / 'anonymization').glob('*.py'))


@pytest.mark.parametrize('path', ANONYMIZER_CONFIGS,
                         ids=[p.name for p in ANONYMIZER_CONFIGS])
def test_anonymizer_config_names_registered_stages(path: Path):
    """Each anonymizer config reads without MMEngine and names registered
    backends (building the default one is tests/tools/
    test_anonymize_videos.py's job)."""
    from mmprivact.anonymization import ANONYMIZERS
    from mmprivact.anonymization.anonymizer_builder import AnonymizerBuilder
    from mmprivact.anonymization.compositing import COMPOSITORS
    from mmprivact.anonymization.inpainting import INPAINTERS
    from mmprivact.anonymization.obfuscation import OBFUSCATORS
    from mmprivact.anonymization.pose import POSE_ESTIMATORS
    from mmprivact.anonymization.renderer import RENDERERS
    from mmprivact.anonymization.segmentation import SEGMENTERS
    import mmprivact.anonymization.avatar_anonymizer  # noqa: F401
    import mmprivact.anonymization.obfuscation_anonymizer  # noqa: F401
    cfg = AnonymizerBuilder.from_file(str(path)).cfg
    assert cfg['type'] in ANONYMIZERS
    registries = dict(pose=POSE_ESTIMATORS, segmenter=SEGMENTERS,
                      renderer=RENDERERS, inpainter=INPAINTERS,
                      compositor=COMPOSITORS, obfuscator=OBFUSCATORS)
    for key, registry in registries.items():
        stage = cfg.get(key)
        if isinstance(stage, dict):
            assert stage['type'] in registry, f'{path.name}: {key}'
    assert len(ANONYMIZER_CONFIGS) >= 4


SWEEP_CONFIGS = sorted((CONFIG_DIR / 'sweeps').glob('*.py'))


@pytest.mark.parametrize('path', SWEEP_CONFIGS,
                         ids=[p.name for p in SWEEP_CONFIGS])
def test_sweep_config_validates(path: Path):
    """Each sweep config (tools/analysis/privacy_sweep.py) names existing
    training configs consistently (private / kind / masked view) and
    expands to runs; data is not needed here."""
    import mmprivact  # noqa: F401
    from mmprivact.evaluation.sweep import SweepGrid
    grid = SweepGrid(str(path), base_dir=str(REPO), check_data=False)
    assert grid.runs(), f'{path.name}: no runs'
    for method in grid.methods:
        assert method.config.startswith(str(CONFIG_DIR))
        for key in method.cfg_options:
            match = re.match(r'(.*\.pipeline)\.(\d+)\.layout$', key)
            if match:  # LoadPrivacyMask(layout=...) addressed by position
                cfg = method.train_config
                for part in match.group(1).split('.'):
                    cfg = cfg[part]
                assert cfg[int(match.group(2))]['type'] == (
                    'LoadPrivacyMask'), f'{path.name}: {key}'
    assert len(SWEEP_CONFIGS) >= 2


def test_maskdp_table_sweep_fits_its_time_budget():
    """The ready sweep stays at 5 runs (15 min in all on 2 cores):
    non-private + DP-SGD and MaskDP at epsilon 1 and 8, one seed."""
    import mmprivact  # noqa: F401
    from mmprivact.evaluation.sweep import SweepGrid
    grid = SweepGrid(str(CONFIG_DIR / 'sweeps' / 'maskdp_table_synthetic.py'),
                     base_dir=str(REPO), check_data=False)
    assert [r.name for r in grid.runs()] == [
        'nonprivate_seed0', 'dpsgd_eps1_seed0', 'dpsgd_eps8_seed0',
        'maskdp_eps1_seed0', 'maskdp_eps8_seed0'
    ]
    assert [m.mode for m in grid.methods] == ['none', 'dpsgd', 'maskdp']


CONFIGS = discover_configs()
CONFIG_IDS = [str(p.relative_to(CONFIG_DIR)) for p in CONFIGS]


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    """Register mmprivact + MMAction2 modules and use mmaction's scope."""
    import mmprivact  # noqa: F401
    init_default_scope('mmaction')


def _innermost_dataset(dataset_cfg: dict) -> dict:
    """Follow dataset wrappers (``RepeatDataset`` etc.) to the real one."""
    while isinstance(dataset_cfg.get('dataset'), dict):
        dataset_cfg = dataset_cfg['dataset']
    return dataset_cfg


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return text.replace(' ', '-')


def _doc_anchors(doc: Path) -> set:
    text = doc.read_text(encoding='utf-8')
    anchors = set(re.findall(r'<a\s+(?:id|name)="([^"]+)"', text))
    anchors.update(
        _slug(m) for m in re.findall(r'^#+\s+(.*)$', text, re.MULTILINE))
    return anchors


def test_configs_are_discovered():
    """The four real-dataset non-private baselines exist and are found."""
    names = {p.name for p in CONFIGS}
    for dataset in ('ntu60-xsub-rgb', 'toyota-smarthome-xsub-rgb',
                    'ucf101-split1-rgb', 'hmdb51-split1-rgb'):
        assert (f'i3d_r50_nonprivate_8xb8-32x2x1-100e_{dataset}.py'
                in names), f'missing non-private config for {dataset}'


@pytest.mark.parametrize('path', CONFIGS, ids=CONFIG_IDS)
def test_config_name_scheme(path: Path):
    fields = path.stem.split('_')
    assert len(fields) == 5, (
        f'{path.name}: expected 5 "_"-separated fields '
        '{algorithm}_{backbone}_{privacy}_{schedule}_{dataset}, got '
        f'{len(fields)}: {fields}; use "-" inside a field')
    algorithm, backbone, privacy, schedule, dataset = fields
    for what, value in (('algorithm', algorithm), ('backbone', backbone),
                        ('dataset', dataset)):
        assert TOKEN_RE.match(value), f'{path.name}: bad {what} {value!r}'
    assert PRIVACY_RE.match(privacy), (
        f'{path.name}: privacy field {privacy!r} is not one of '
        f'{PRIVACY_TAGS} (optionally + '
        f'{", ".join(f"-{name}<n>" for name in _PARAMS)}, -nocolour, '
        '-person, -person-crop); extend PRIVACY_TAGS in '
        'tests/test_configs.py for a new method')
    assert SCHEDULE_RE.match(schedule), (
        f'{path.name}: schedule {schedule!r} must look like '
        '"8xb8-32x2x1-100e" ({gpus}xb{batch}-...-{length})')
    assert any(LENGTH_RE.match(part) for part in schedule.split('-')[1:]), (
        f'{path.name}: schedule {schedule!r} names no length such as '
        '"100e" or "20kiters"')


def _accountant_hook(cfg: Config) -> dict:
    index = privacy_hook_index(cfg)
    assert index is not None, (
        f'{cfg.filename}: an -eps name needs a PrivacyAccountantHook in '
        'custom_hooks')
    return cfg.custom_hooks[index]


#: Where each name parameter's value lives in a config.
_PARAM_SETTINGS = {
    'eps': ('the accountant hook\'s target_epsilon',
            lambda cfg: _accountant_hook(cfg)['target_epsilon']),
    'c': ('optim_wrapper.max_grad_norm',
          lambda cfg: cfg.optim_wrapper.max_grad_norm),
    'b': ('model.budget', lambda cfg: cfg.model.budget),
    'wb': ('model.privacy_weight', lambda cfg: cfg.model.privacy_weight),
    'lam': ('model.penalty_weight', lambda cfg: cfg.model.penalty_weight),
    'lra': ('optim_wrapper.anonymizer.optimizer.lr',
            lambda cfg: cfg.optim_wrapper.anonymizer.optimizer.lr),
    'lrb': ('optim_wrapper.privacy.optimizer.lr',
            lambda cfg: cfg.optim_wrapper.privacy.optimizer.lr),
}
_PARAM_TOKEN_RE = re.compile(r'(?:^|-)(%s)(%s)(?=-|$)' % ('|'.join(
    sorted(_PARAMS, key=len, reverse=True)), _NUMBER))


@pytest.mark.parametrize('path', CONFIGS, ids=CONFIG_IDS)
def test_config_name_matches_its_settings(path: Path):
    """The numbers and flags in a name are the ones the config sets, so a
    name cannot claim a B, w_B or epsilon that an inherited value
    overrides."""
    privacy = path.stem.split('_')[2]
    cfg = Config.fromfile(str(path))
    for name, number in _PARAM_TOKEN_RE.findall(privacy):
        where, read = _PARAM_SETTINGS[name]
        assert float(read(cfg)) == pytest.approx(float(number)), (
            f'{path.name}: the name says {name}{number} but {where} is '
            f'{read(cfg)}; rename the file or set {where}')
    flags = privacy.split('-')
    if 'nocolour' in flags:
        views = cfg.model.views
        assert views.jitter == 0 and views.grayscale_prob == 0, (
            f'{path.name}: "-nocolour" but model.views has jitter='
            f'{views.jitter}, grayscale_prob={views.grayscale_prob}')
    if 'person' in flags:
        assert cfg.model.get('privacy_region_key'), (
            f'{path.name}: "-person" but model.privacy_region_key is unset')
    assert ('crop' in flags) == bool(
        cfg.model.get('privacy_region_crop', False)), (
            f'{path.name}: "-crop" in the name and '
            'model.privacy_region_crop must go together')


@pytest.mark.parametrize('path', CONFIGS, ids=CONFIG_IDS)
def test_config_loads_with_mmprivact_imports(path: Path):
    cfg = Config.fromfile(str(path))
    imports = cfg.get('custom_imports', {})
    assert 'mmprivact' in imports.get('imports', []), (
        f'{path.name} must import mmprivact (inherit '
        '../_base_/default_runtime.py)')
    assert imports.get('allow_failed_imports') is False
    assert cfg.get('default_scope') == 'mmaction'
    for key in ('model', 'train_dataloader', 'optim_wrapper', 'train_cfg'):
        assert key in cfg, f'{path.name} defines no {key!r}'
    assert cfg.get('load_from') is None or not str(
        cfg.load_from).startswith(('http://', 'https://')), (
            f'{path.name}: load_from must be a local file, not a URL')


@pytest.mark.parametrize('path', CONFIGS, ids=CONFIG_IDS)
def test_minimax_configs_train_on_several_ranks(path: Path):
    """A model with its own multi-optimizer train_step needs the wrapper
    that calls it; MMEngine's default DDP wrapper would fail at the first
    distributed iteration."""
    cfg = Config.fromfile(str(path))
    if cfg.model.get('type') != 'PenaltyMinimaxRecognizer':
        return
    wrapper = cfg.get('model_wrapper_cfg') or {}
    assert wrapper.get('type') == 'TrainStepDataParallel', (
        f'{path.name}: set model_wrapper_cfg = '
        "dict(type='TrainStepDataParallel') (or inherit a minimax base "
        'config that does)')


def _random_video_batch(cfg: Config, num_views: int = 1) -> Optional[dict]:
    """A tiny uint8 batch in the model's input format, or None if unknown."""
    preprocessor = cfg.model.get('data_preprocessor', {})
    if preprocessor.get('type') != 'ActionDataPreprocessor':
        return None
    shape = {
        'NCTHW': (num_views, 3, 8, 64, 64),
        'NCHW': (num_views * 8, 3, 64, 64),
    }.get(preprocessor.get('format_shape'))
    if shape is None:
        return None
    from mmaction.structures import ActionDataSample
    generator = torch.Generator().manual_seed(0)
    video = torch.randint(0, 256, shape, generator=generator,
                          dtype=torch.uint8)
    return dict(inputs=[video], data_samples=[ActionDataSample()])


@pytest.mark.parametrize('path', CONFIGS, ids=CONFIG_IDS)
def test_config_builds_model(path: Path):
    from mmaction.registry import MODELS
    cfg = Config.fromfile(str(path))
    model = MODELS.build(cfg.model)
    num_params = sum(p.numel() for p in model.parameters())
    assert num_params > 0
    minimax = cfg.model.get('type') == 'PenaltyMinimaxRecognizer'
    head = (cfg.model.utility if minimax else cfg.model).get('cls_head') or {}
    if 'num_classes' in cfg and 'num_classes' in head:
        assert head['num_classes'] == cfg.num_classes, (
            f'{path.name}: head has {head["num_classes"]} classes, the '
            f'dataset {cfg.num_classes}')
    batch = _random_video_batch(cfg)
    if batch is None or cfg.model.get('type') not in (
            'Recognizer2D', 'Recognizer3D', 'PenaltyMinimaxRecognizer'):
        return  # built; the forward needs inputs we cannot synthesise here
    model.eval()
    with torch.no_grad():
        results = model.test_step(batch)
    assert len(results) == 1
    scores = results[0].pred_score
    assert scores.shape == (head['num_classes'], )
    assert torch.isfinite(scores).all()
    if head.get('average_clips') == 'prob':
        assert scores.min() >= 0
        assert scores.sum().item() == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize('path', CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize('split', ['train', 'val', 'test'])
def test_dataset_without_data_names_missing_path(path: Path, split: str,
                                                 tmp_path: Path):
    from mmaction.registry import DATASETS
    cfg = Config.fromfile(str(path))
    loader = cfg.get(f'{split}_dataloader')
    if not loader:
        if split == 'train':
            pytest.fail(f'{path.name} defines no train_dataloader')
        pytest.skip(f'{path.name} defines no {split}_dataloader')
    dataset_cfg = copy.deepcopy(loader['dataset'])
    inner = _innermost_dataset(dataset_cfg)
    inner['data_root'] = str(tmp_path)
    ann_file = inner.get('ann_file')
    if ann_file:
        expected = (
            ann_file if osp.isabs(ann_file) else osp.join(
                str(tmp_path), ann_file))
    else:
        expected = str(tmp_path)
    with pytest.raises(FileNotFoundError) as err:
        DATASETS.build(dataset_cfg)
    message = str(err.value)
    assert expected in message, (
        f'{path.name}: error should name {expected!r}: {message}')
    if 'mmaction::' in path.read_text() and inner.get(
            'type') == 'VideoDataset':
        return  # a model-zoo recipe keeps MMAction2's own dataset
    assert 'docs/' in message, (
        f'{path.name}: error should point to the docs: {message}')


@pytest.mark.parametrize('path', CONFIGS, ids=CONFIG_IDS)
def test_data_doc_anchor_exists(path: Path):
    cfg = Config.fromfile(str(path))
    docs = set()
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader:
            doc = _innermost_dataset(loader['dataset']).get('data_doc')
            if doc:
                docs.add(doc)
    for doc in sorted(docs):
        file, _, anchor = doc.partition('#')
        doc_path = REPO / file
        assert doc_path.is_file(), f'{path.name}: data_doc {doc!r} missing'
        if anchor:
            assert anchor in _doc_anchors(doc_path), (
                f'{path.name}: no anchor #{anchor} in {file}')
