"""Tests of the list builders in ``tools/data/*/build_annotations.py``.

The tools are scripts, not a package, so they are imported from their files.
Fake (empty) video files follow each dataset's real naming scheme.
"""
from pathlib import Path
from types import ModuleType
from typing import Dict, Iterable, List, Tuple

import pytest

from tests.tools.script_loader import load_script

REPO = Path(__file__).resolve().parents[3]

# The official splits, written out independently of the tools.
NTU60_XSUB_TRAIN = {
    1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38
}
SMARTHOME_CS_TRAIN = {3, 4, 6, 7, 9, 12, 13, 15, 17, 19, 25}
SMARTHOME_CS_TEST = {2, 10, 11, 14, 16, 18, 20}


def load_tool(dataset: str) -> ModuleType:
    """Import ``tools/data/<dataset>/build_annotations.py`` as a module."""
    path = REPO / 'tools' / 'data' / dataset / 'build_annotations.py'
    return load_script(path, f'build_annotations_{dataset}')


@pytest.fixture(scope='module')
def ntu():
    return load_tool('ntu60')


@pytest.fixture(scope='module')
def smarthome():
    return load_tool('toyota_smarthome')


@pytest.fixture(scope='module')
def ucf():
    return load_tool('ucf101')


@pytest.fixture(scope='module')
def hmdb():
    return load_tool('hmdb51')


def touch_all(root: Path, rel_paths: Iterable[str]) -> None:
    for rel_path in rel_paths:
        path = root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'')


def read_list(path: Path) -> List[Tuple[str, int]]:
    entries = []
    for line in path.read_text().splitlines():
        rel_path, label = line.rsplit(' ', 1)
        entries.append((rel_path, int(label)))
    return entries


def read_outputs(out_dir: Path) -> Dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out_dir.iterdir())}


# --------------------------------------------------------------- NTU RGB+D 60


def ntu_name(setup, camera, subject, rep, action) -> str:
    return (f'S{setup:03d}C{camera:03d}P{subject:03d}R{rep:03d}'
            f'A{action:03d}_rgb.avi')


def test_ntu_constants_match_official_protocol(ntu):
    assert set(ntu.XSUB_TRAIN_SUBJECTS) == NTU60_XSUB_TRAIN
    assert len(ntu.CLASSES) == 60 == len(set(ntu.CLASSES))
    assert ntu.CLASSES[0] == 'drink water'
    assert ntu.CLASSES[59] == 'walking apart from each other'


def test_ntu_parse_filename(ntu):
    video = ntu.parse_filename('some/dir/S017C003P038R002A060_rgb.avi')
    assert (video.setup, video.camera, video.subject, video.replication,
            video.action) == (17, 3, 38, 2, 60)
    assert video.label == 59 and video.in_ntu60
    assert not ntu.parse_filename(ntu_name(18, 1, 41, 1, 61)).in_ntu60
    assert ntu.xsub_subset(ntu.parse_filename(ntu_name(1, 1, 1, 1, 1))) == (
        'train')
    assert ntu.xsub_subset(ntu.parse_filename(ntu_name(1, 1, 3, 1, 1))) == (
        'val')


@pytest.mark.parametrize('bad', [
    'S001C001P001R001A001.avi', 'S001C001P001R001A001_rgb.mp4',
    'S1C001P001R001A001_rgb.avi', 'S001C001P001R001A001_rgb (1).avi',
    'S000C001P001R001A001_rgb.avi', 'readme.avi'
])
def test_ntu_bad_filename_raises_naming_it(ntu, bad):
    with pytest.raises(ValueError, match=r'SsssCcccPpppRrrrAaaa') as err:
        ntu.parse_filename(bad)
    assert bad in str(err.value)


def _ntu_fake_names() -> List[str]:
    names = []
    for subject in range(1, 41):
        for action in (1, 30, 60):
            names.append(ntu_name(1 + subject % 17, 1 + subject % 3, subject,
                                  1, action))
    names.append(ntu_name(18, 1, 41, 1, 61))  # NTU-120 only: skipped
    return names


def test_ntu_cli_cross_subject_split(ntu, tmp_path):
    names = _ntu_fake_names()
    # a sub-folder, as the release archives extract, and a non-video file
    touch_all(tmp_path / 'videos', [f'nturgb+d_rgb/{n}' for n in names])
    (tmp_path / 'videos' / 'notes.txt').write_text('ignored')
    out = tmp_path / 'out'
    lists = ntu.main(['--video-dir', str(tmp_path / 'videos'), '--out-dir',
                      str(out)])

    train = read_list(out / 'ntu60_xsub_train_videos.txt')
    val = read_list(out / 'ntu60_xsub_val_videos.txt')
    assert train == lists['train'] and val == lists['val']
    assert len(train) == 20 * 3 and len(val) == 20 * 3
    for entries, expect_train in ((train, True), (val, False)):
        for rel_path, label in entries:
            assert rel_path.startswith('nturgb+d_rgb/S')
            video = ntu.parse_filename(rel_path)
            assert (video.subject in NTU60_XSUB_TRAIN) is expect_train
            assert label == video.action - 1
    assert {s for s, _ in train}.isdisjoint({s for s, _ in val})
    assert [p for p, _ in train] == sorted(p for p, _ in train)
    classes = (out / 'classes.txt').read_text().splitlines()
    assert classes == list(ntu.CLASSES)


def test_ntu_cli_is_deterministic(ntu, tmp_path):
    names = _ntu_fake_names()
    touch_all(tmp_path / 'a', names)
    touch_all(tmp_path / 'b', reversed(names))
    for name in 'ab':
        ntu.main(['--video-dir', str(tmp_path / name), '--out-dir',
                  str(tmp_path / f'out_{name}')])
    assert read_outputs(tmp_path / 'out_a') == read_outputs(tmp_path /
                                                            'out_b')


def test_ntu_cli_errors(ntu, tmp_path):
    missing = tmp_path / 'nope'
    with pytest.raises(FileNotFoundError, match='nope') as err:
        ntu.main(['--video-dir', str(missing), '--out-dir', str(tmp_path)])
    assert 'docs/data_preparation.md#ntu-rgbd-60' in str(err.value)
    touch_all(tmp_path / 'v', _ntu_fake_names() + ['S001_copy_rgb.avi'])
    with pytest.raises(ValueError, match='S001_copy_rgb.avi'):
        ntu.main(['--video-dir', str(tmp_path / 'v'), '--out-dir',
                  str(tmp_path / 'o')])
    assert not (tmp_path / 'o').exists()  # nothing half-written
    only_train = tmp_path / 'only_train'
    touch_all(only_train, [ntu_name(1, 1, 1, 1, 1)])
    with pytest.raises(ValueError, match='empty'):
        ntu.main(['--video-dir', str(only_train), '--out-dir',
                  str(tmp_path / 'o2')])


# ----------------------------------------------------------- Toyota Smarthome


def sh_name(activity, subject, take=0, view=1, camera=1) -> str:
    return (f'{activity}_p{subject:02d}_r{take:02d}_v{view:02d}'
            f'_c{camera:02d}.mp4')


def test_smarthome_constants(smarthome):
    assert set(smarthome.XSUB_TRAIN_SUBJECTS) == SMARTHOME_CS_TRAIN
    assert set(smarthome.XSUB_TEST_SUBJECTS) == SMARTHOME_CS_TEST
    assert len(smarthome.CLASSES) == 31 == len(set(smarthome.CLASSES))
    assert set(smarthome.OFFICIAL_VAL_SUBJECTS) <= SMARTHOME_CS_TRAIN


def test_smarthome_parse_filename(smarthome):
    video = smarthome.parse_filename(
        'x/Makecoffee.Pourwater_p13_r04_v21_c07.mp4')
    assert (video.activity, video.subject, video.take, video.camera) == (
        'Makecoffee.Pourwater', 13, 4, 7)
    video = smarthome.parse_filename('WatchTV_p02_r00_v01_c05.mp4')
    assert video.activity == 'WatchTV'


@pytest.mark.parametrize('bad', [
    'Cook.Cut_p03_r00_v02_c03.avi', 'Cook.Cut_p03_r00_c03.mp4',
    'Cook Cut_p03_r00_v02_c03.mp4', 'p03_r00_v02_c03.mp4',
    'Cook.Cut_p03_r00_v02_c03 (copy).mp4'
])
def test_smarthome_bad_filename_raises_naming_it(smarthome, bad):
    with pytest.raises(ValueError, match='Activity_pSS_rTT_vVV_cCC') as err:
        smarthome.parse_filename(bad)
    assert bad in str(err.value)


def _smarthome_fake_names() -> List[str]:
    names = []
    for subject in sorted(SMARTHOME_CS_TRAIN | SMARTHOME_CS_TEST):
        for activity in ('Cook.Cleandishes', 'Walk', 'WatchTV'):
            names.append(sh_name(activity, subject, camera=subject % 7 + 1))
    names.append(sh_name('Pour.Fromcup', 13))  # outside the 31 classes
    return names


@pytest.mark.parametrize('official_val', [False, True])
def test_smarthome_cli_cross_subject_split(smarthome, tmp_path, capsys,
                                           official_val):
    touch_all(tmp_path / 'videos', _smarthome_fake_names())
    out = tmp_path / 'out'
    argv = ['--video-dir', str(tmp_path / 'videos'), '--out-dir', str(out)]
    smarthome.main(argv + (['--official-val'] if official_val else []))
    lists = {
        subset: read_list(out / f'toyota_smarthome_xsub_{subset}_videos.txt')
        for subset in ('train', 'val', 'test')
    }
    subjects = {
        subset: {smarthome.parse_filename(p).subject for p, _ in entries}
        for subset, entries in lists.items()
    }
    assert subjects['test'] == SMARTHOME_CS_TEST
    if official_val:
        assert subjects['train'] == SMARTHOME_CS_TRAIN - {19, 25}
        assert subjects['val'] == {19, 25}
    else:
        assert subjects['train'] == SMARTHOME_CS_TRAIN
        assert lists['val'] == lists['test']
    classes = (out / 'classes.txt').read_text().splitlines()
    for entries in lists.values():
        for rel_path, label in entries:
            assert classes[label] == smarthome.parse_filename(
                rel_path).activity
    assert classes.index('Cook.Cleandishes') == 0
    assert classes.index('WatchTV') == 30
    all_paths = [p for entries in lists.values() for p, _ in entries]
    assert not any('Pour.Fromcup' in p for p in all_paths)
    assert "skipped 1 videos of 'Pour.Fromcup'" in capsys.readouterr().out


def test_smarthome_cli_is_deterministic(smarthome, tmp_path):
    names = _smarthome_fake_names()
    touch_all(tmp_path / 'a', names)
    touch_all(tmp_path / 'b', reversed(names))
    for name in 'ab':
        smarthome.main(['--video-dir', str(tmp_path / name), '--out-dir',
                        str(tmp_path / f'out_{name}')])
    assert read_outputs(tmp_path / 'out_a') == read_outputs(tmp_path /
                                                            'out_b')


def test_smarthome_cli_errors(smarthome, tmp_path):
    with pytest.raises(FileNotFoundError, match='missing_dir'):
        smarthome.main(['--video-dir', str(tmp_path / 'missing_dir')])
    touch_all(tmp_path / 'v', _smarthome_fake_names() + ['clip_0001.mp4'])
    with pytest.raises(ValueError, match='clip_0001.mp4'):
        smarthome.main(['--video-dir', str(tmp_path / 'v'), '--out-dir',
                        str(tmp_path / 'o')])
    touch_all(tmp_path / 'w', _smarthome_fake_names() + [sh_name('Walk', 5)])
    with pytest.raises(ValueError, match='p05'):
        smarthome.main(['--video-dir', str(tmp_path / 'w'), '--out-dir',
                        str(tmp_path / 'o')])


# -------------------------------------------------------------------- UCF-101

UCF_CLASSES = ['ApplyEyeMakeup', 'Basketball', 'HandstandPushups']


def make_ucf(root: Path, train_ids: bool = True) -> List[str]:
    """Official-format split files for 3 classes, and their videos."""
    ann = root / 'annotations'
    ann.mkdir(parents=True)
    (ann / 'classInd.txt').write_text(''.join(
        f'{i} {c}\r\n' for i, c in enumerate(UCF_CLASSES, 1)))
    train, test = [], []
    for i, cls in enumerate(UCF_CLASSES, 1):
        file_cls = 'HandStandPushups' if cls == 'HandstandPushups' else cls
        for group in (1, 8, 9):
            rel = f'{cls}/v_{file_cls}_g{group:02d}_c01.avi'
            if group <= 7:
                test.append(rel)
            else:
                train.append(f'{rel} {i}' if train_ids else rel)
    (ann / 'trainlist01.txt').write_text('\r\n'.join(train) + '\r\n')
    (ann / 'testlist01.txt').write_text('\r\n'.join(test) + '\r\n')
    videos = [line.split()[0] for line in train] + test
    touch_all(root / 'videos', videos)
    return videos


def ucf_argv(root: Path, *extra: str) -> List[str]:
    return [
        '--ann-dir', str(root / 'annotations'), '--video-dir',
        str(root / 'videos'), '--out-dir', str(root / 'out'),
        '--num-classes', '3', *extra
    ]


def test_ucf_cli_split1(ucf, tmp_path):
    make_ucf(tmp_path)
    ucf.main(ucf_argv(tmp_path))
    train = read_list(tmp_path / 'out' / 'ucf101_train_split_1_videos.txt')
    val = read_list(tmp_path / 'out' / 'ucf101_val_split_1_videos.txt')
    assert train == [('ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi', 0),
                     ('ApplyEyeMakeup/v_ApplyEyeMakeup_g09_c01.avi', 0),
                     ('Basketball/v_Basketball_g08_c01.avi', 1),
                     ('Basketball/v_Basketball_g09_c01.avi', 1),
                     ('HandstandPushups/v_HandStandPushups_g08_c01.avi', 2),
                     ('HandstandPushups/v_HandStandPushups_g09_c01.avi', 2)]
    assert val == [('ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi', 0),
                   ('Basketball/v_Basketball_g01_c01.avi', 1),
                   ('HandstandPushups/v_HandStandPushups_g01_c01.avi', 2)]
    assert (tmp_path / 'out' / 'classes.txt').read_text().split() == (
        UCF_CLASSES)
    first = read_outputs(tmp_path / 'out')
    ucf.main(ucf_argv(tmp_path))
    assert read_outputs(tmp_path / 'out') == first


def test_ucf_label_mismatch_and_bad_lines(ucf, tmp_path):
    make_ucf(tmp_path)
    train = tmp_path / 'annotations' / 'trainlist01.txt'
    train.write_text('Basketball/v_Basketball_g08_c01.avi 1\n')
    with pytest.raises(ValueError, match='trainlist01.txt:1'):
        ucf.main(ucf_argv(tmp_path))
    train.write_text('Unknown/v_Unknown_g08_c01.avi 1\n')
    with pytest.raises(ValueError, match='Unknown'):
        ucf.main(ucf_argv(tmp_path))
    (tmp_path / 'annotations' / 'classInd.txt').write_text('2 Basketball\n')
    with pytest.raises(ValueError, match='classInd.txt:1'):
        ucf.main(ucf_argv(tmp_path))


def test_ucf_missing_files(ucf, tmp_path):
    with pytest.raises(FileNotFoundError, match='classInd.txt'):
        ucf.main(ucf_argv(tmp_path))
    videos = make_ucf(tmp_path)
    (tmp_path / 'videos' / videos[0]).unlink()
    with pytest.raises(FileNotFoundError, match=videos[0]):
        ucf.main(ucf_argv(tmp_path))
    lists = ucf.main(ucf_argv(tmp_path, '--missing', 'skip'))
    assert videos[0] not in [p for p, _ in lists['train']]
    assert len(lists['train']) == 5
    with pytest.raises(ValueError, match='expected 101'):
        ucf.main(ucf_argv(tmp_path)[:-2] + ['--missing', 'skip'])


# -------------------------------------------------------------------- HMDB-51


def make_hmdb(root: Path) -> None:
    """Official-format split files (with their trailing spaces), 3 classes."""
    split_dir = root / 'splits'
    split_dir.mkdir(parents=True)
    videos = []
    for cls in ('wave', 'brush_hair', 'clap'):  # unsorted on purpose
        for split in (1, 2):
            rows = [(f'{cls}_a_{i}.avi', flag)
                    for i, flag in enumerate(('1', '2', '0', '1'))]
            if split == 2:  # split 2 uses other flags: must not leak in
                rows = [(name, {'1': '2', '2': '1'}.get(flag, flag))
                        for name, flag in rows]
            (split_dir / f'{cls}_test_split{split}.txt').write_text(''.join(
                f'{name} {flag} \n' for name, flag in rows))
        videos += [f'{cls}/{cls}_a_{i}.avi' for i in range(4)]
    touch_all(root / 'videos', videos)


def hmdb_argv(root: Path, *extra: str) -> List[str]:
    return [
        '--split-dir', str(root / 'splits'), '--video-dir',
        str(root / 'videos'), '--out-dir', str(root / 'out'),
        '--num-classes', '3', *extra
    ]


def test_hmdb_cli_split1(hmdb, tmp_path):
    make_hmdb(tmp_path)
    hmdb.main(hmdb_argv(tmp_path))
    train = read_list(tmp_path / 'out' / 'hmdb51_train_split_1_videos.txt')
    val = read_list(tmp_path / 'out' / 'hmdb51_val_split_1_videos.txt')
    assert (tmp_path / 'out' / 'classes.txt').read_text().split() == [
        'brush_hair', 'clap', 'wave'
    ]
    assert train == [('brush_hair/brush_hair_a_0.avi', 0),
                     ('brush_hair/brush_hair_a_3.avi', 0),
                     ('clap/clap_a_0.avi', 1), ('clap/clap_a_3.avi', 1),
                     ('wave/wave_a_0.avi', 2), ('wave/wave_a_3.avi', 2)]
    assert val == [('brush_hair/brush_hair_a_1.avi', 0),
                   ('clap/clap_a_1.avi', 1), ('wave/wave_a_1.avi', 2)]
    first = read_outputs(tmp_path / 'out')
    hmdb.main(hmdb_argv(tmp_path))
    assert read_outputs(tmp_path / 'out') == first
    lists = hmdb.main(hmdb_argv(tmp_path, '--split', '2'))
    assert [p for p, _ in lists['val']] == [p for p, _ in train]


def test_hmdb_errors(hmdb, tmp_path):
    with pytest.raises(FileNotFoundError, match='splits'):
        hmdb.main(hmdb_argv(tmp_path))
    (tmp_path / 'splits').mkdir()
    with pytest.raises(FileNotFoundError, match='_test_split1.txt'):
        hmdb.main(hmdb_argv(tmp_path))
    (tmp_path / 'splits').rmdir()
    make_hmdb(tmp_path)
    bad = tmp_path / 'splits' / 'clap_test_split1.txt'
    bad.write_text('clap_a_0.avi 1\nclap_a_1.avi 3\n')
    with pytest.raises(ValueError, match='clap_test_split1.txt:2'):
        hmdb.main(hmdb_argv(tmp_path))
    make_hmdb(tmp_path / 'again')
    (tmp_path / 'again' / 'videos' / 'wave' / 'wave_a_1.avi').unlink()
    with pytest.raises(FileNotFoundError, match='wave/wave_a_1.avi'):
        hmdb.main(hmdb_argv(tmp_path / 'again'))
    with pytest.raises(ValueError, match='expected 51'):
        hmdb.main(hmdb_argv(tmp_path / 'again')[:-2] + ['--missing', 'skip'])


# ------------------------------------- the lists load in CheckedVideoDataset


def test_lists_load_in_checked_video_dataset(ntu, smarthome, tmp_path):
    """What the tools write is what the dataset configs read."""
    import mmprivact  # noqa: F401
    from mmaction.registry import DATASETS
    from mmengine import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')

    cases = [
        ('ntu60', ntu, _ntu_fake_names(), 'ntu60_xsub_rgb.py'),
        ('toyota_smarthome', smarthome, _smarthome_fake_names(),
         'toyota_smarthome_xsub_rgb.py'),
    ]
    for name, tool, files, config in cases:
        root = tmp_path / name
        touch_all(root / 'videos', files)
        tool.main(['--video-dir', str(root / 'videos'), '--out-dir',
                   str(root)])
        cfg = Config.fromfile(
            str(REPO / 'configs' / '_base_' / 'datasets' / config))
        dataset_cfg = cfg.train_dataloader.dataset
        dataset_cfg.data_root = str(root)
        dataset = DATASETS.build(dataset_cfg)
        expected = read_list(root / Path(cfg.ann_file_train).name)
        assert len(dataset) == len(expected) > 0
        for i in (0, len(dataset) - 1):
            info = dataset.get_data_info(i)
            assert info['filename'] == str(root / 'videos' / expected[i][0])
            assert info['label'] == expected[i][1]
        assert max(label for _, label in expected) < cfg.num_classes
