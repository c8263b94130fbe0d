"""Helpers shared by the list builders in ``tools/data/*``."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mmprivact.datasets import annotation_lists as al


def touch(root: Path, *rel_paths: str) -> None:
    for rel_path in rel_paths:
        path = root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'')


# ----------------------------------------------------------------- find_files


def test_find_files_nested_relative_sorted(tmp_path):
    touch(tmp_path, 'b/z.mp4', 'b/a.mp4', 'a/c/d.mp4', 'top.mp4', 'a/x.avi',
          'a/c/notes.txt', 'b/clip.mp4.part', 'a/UPPER.MP4')
    (tmp_path / 'empty_dir').mkdir()
    found = al.find_files(str(tmp_path), '.mp4', not_found_message='unused')
    assert found == ['a/c/d.mp4', 'b/a.mp4', 'b/z.mp4', 'top.mp4']
    # relative, '/'-separated, no leading './'
    assert all(not os.path.isabs(p) and '\\' not in p and
               not p.startswith('.') for p in found)
    assert al.find_files(
        str(tmp_path), '.avi', not_found_message='unused') == ['a/x.avi']
    # the suffix is matched on the end of the name, not as an extension
    assert al.find_files(
        str(tmp_path), 'd.mp4', not_found_message='unused') == ['a/c/d.mp4']


def test_find_files_is_deterministic_across_creation_order(tmp_path):
    names = [f'{d}/sub{i % 3}/v{i:02d}.mp4' for d in 'qpr' for i in range(9)]
    touch(tmp_path / 'one', *names)
    touch(tmp_path / 'two', *reversed(names))
    one = al.find_files(str(tmp_path / 'one'), '.mp4', not_found_message='')
    two = al.find_files(str(tmp_path / 'two'), '.mp4', not_found_message='')
    assert one == two == sorted(names)
    assert len(one) == 27


def test_find_files_trailing_slash_and_empty_folder(tmp_path):
    touch(tmp_path, 'x/y.mp4')
    assert al.find_files(
        str(tmp_path) + os.sep, '.mp4', not_found_message='') == ['x/y.mp4']
    (tmp_path / 'empty').mkdir()
    assert al.find_files(
        str(tmp_path / 'empty'), '.mp4', not_found_message='') == []


def test_find_files_missing_folder_raises_given_message(tmp_path):
    message = f'video folder {str(tmp_path / "nope")!r} does not exist'
    with pytest.raises(FileNotFoundError) as err:
        al.find_files(
            str(tmp_path / 'nope'), '.mp4', not_found_message=message)
    assert str(err.value) == message
    touch(tmp_path, 'a_file.mp4')  # a file is not a folder either
    with pytest.raises(FileNotFoundError, match='^not a folder$'):
        al.find_files(
            str(tmp_path / 'a_file.mp4'), '.mp4',
            not_found_message='not a folder')


def test_find_files_message_is_keyword_only(tmp_path):
    with pytest.raises(TypeError):
        al.find_files(str(tmp_path), '.mp4', 'positional')


# ------------------------------------------------------------- missing videos


def test_missing_videos_keeps_entry_order(tmp_path):
    touch(tmp_path, 'a/1.avi', 'b/3.avi')
    (tmp_path / 'c' / '2.avi').mkdir(parents=True)  # a folder is not a video
    entries = [('c/2.avi', 2), ('a/1.avi', 0), ('z/9.avi', 1), ('b/3.avi', 0)]
    assert al.missing_videos(str(tmp_path), entries) == ['c/2.avi', 'z/9.avi']
    assert al.missing_videos(str(tmp_path), []) == []
    assert al.missing_videos(str(tmp_path / 'nope'), entries[:2]) == [
        'c/2.avi', 'a/1.avi'
    ]


def _lists():
    return {
        'train': [('a/1.avi', 0), ('a/gone.avi', 0), ('b/2.avi', 1)],
        'val': [('b/3.avi', 1)],
    }


def test_apply_missing_policy_skip_drops_and_reports(tmp_path, capsys):
    touch(tmp_path, 'a/1.avi', 'b/2.avi', 'b/3.avi')
    lists = _lists()
    checked = al.apply_missing_policy(
        lists, str(tmp_path), 'skip', folder_missing_message='unused',
        echo=print)
    assert checked == {
        'train': [('a/1.avi', 0), ('b/2.avi', 1)],
        'val': [('b/3.avi', 1)],
    }
    assert list(checked) == ['train', 'val']
    assert lists == _lists()  # the input is not modified
    assert capsys.readouterr().out == 'dropped 1 missing train videos\n'


def test_apply_missing_policy_error_names_files(tmp_path):
    touch(tmp_path, 'a/1.avi')
    with pytest.raises(FileNotFoundError) as err:
        al.apply_missing_policy(
            _lists(), str(tmp_path), 'error', folder_missing_message='unused')
    assert str(err.value) == (
        f"2 of 3 train videos are missing under {str(tmp_path)!r}, e.g. "
        "['a/gone.avi', 'b/2.avi']. Complete the extraction, or pass "
        '--missing skip to drop them.')
    touch(tmp_path, 'a/gone.avi', 'b/2.avi', 'b/3.avi')
    assert al.apply_missing_policy(
        _lists(), str(tmp_path), 'error',
        folder_missing_message='unused') == _lists()


def test_apply_missing_policy_folder_and_ignore(tmp_path, capsys):
    nope = str(tmp_path / 'nope')
    for policy in ('error', 'skip'):
        with pytest.raises(FileNotFoundError, match='^no such folder$'):
            al.apply_missing_policy(
                _lists(), nope, policy,
                folder_missing_message='no such folder')
    # 'ignore' checks nothing, not even the folder
    assert al.apply_missing_policy(
        _lists(), nope, 'ignore', folder_missing_message='unused') == _lists()
    assert capsys.readouterr().out == ''
    with pytest.raises(ValueError, match='policy'):
        al.apply_missing_policy(
            _lists(), nope, 'drop', folder_missing_message='unused')


def test_add_missing_argument():
    import argparse
    parser = argparse.ArgumentParser()
    al.add_missing_argument(parser)
    assert parser.parse_args([]).missing == 'error'
    assert parser.parse_args(['--missing', 'skip']).missing == 'skip'
    with pytest.raises(SystemExit):
        parser.parse_args(['--missing', 'drop'])


# -------------------------------------------------------------------- writing


def test_write_list_and_classes_exact_bytes(tmp_path):
    out = tmp_path / 'list.txt'
    out.write_text('old content that must go\n' * 3)
    al.write_list(str(out), [('b/v 1.avi', 3), ('ä/ü.mp4', 0)])
    assert out.read_bytes() == 'b/v 1.avi 3\nä/ü.mp4 0\n'.encode('utf-8')
    al.write_list(str(out), iter([]))
    assert out.read_bytes() == b''
    classes = tmp_path / 'classes.txt'
    al.write_classes(str(classes), ('drink water', "touch other's pocket"))
    assert classes.read_bytes() == b"drink water\ntouch other's pocket\n"


def test_write_split_lists(tmp_path, capsys):
    out_dir = tmp_path / 'new' / 'out'
    lists = {'train': [('x/1.mp4', 1), ('x/0.mp4', 0)], 'val': []}
    written = al.write_split_lists(
        str(out_dir), lists, 'ds_{subset}_split_2_videos.txt', ['c0', 'c1'],
        echo=print)
    expected = [
        str(out_dir / 'ds_train_split_2_videos.txt'),
        str(out_dir / 'ds_val_split_2_videos.txt')
    ]
    assert written == expected
    assert sorted(p.name for p in out_dir.iterdir()) == [
        'classes.txt', 'ds_train_split_2_videos.txt',
        'ds_val_split_2_videos.txt'
    ]
    # entries keep their given order; an empty subset gives an empty file
    assert Path(expected[0]).read_bytes() == b'x/1.mp4 1\nx/0.mp4 0\n'
    assert Path(expected[1]).read_bytes() == b''
    assert (out_dir / 'classes.txt').read_bytes() == b'c0\nc1\n'
    assert capsys.readouterr().out == (f'{expected[0]}: 2 videos\n'
                                       f'{expected[1]}: 0 videos\n')
    # an existing folder is fine
    al.write_split_lists(str(out_dir), {'test': []}, '{subset}.txt', [])
    assert (out_dir / 'test.txt').read_bytes() == b''


# --------------------------------------------------------------------- run_cli


def test_run_cli_turns_expected_errors_into_exit(capsys):

    def fails(exc):

        def main():
            raise exc

        return main

    for exc in (FileNotFoundError('no data here'), ValueError('bad line')):
        with pytest.raises(SystemExit) as err:
            al.run_cli(fails(exc))
        assert err.value.code == f'error: {exc}'
    with pytest.raises(KeyError):
        al.run_cli(fails(KeyError('unexpected')))
    calls = []
    al.run_cli(lambda: calls.append(1))
    assert calls == [1]


def test_module_is_framework_free():
    """Loading the module by itself pulls in no training framework."""
    path = Path(al.__file__)
    code = (
        'import importlib.util, sys\n'
        f'spec = importlib.util.spec_from_file_location("al", {str(path)!r})\n'
        'module = importlib.util.module_from_spec(spec)\n'
        'spec.loader.exec_module(module)\n'
        'heavy = [m for m in ("torch", "mmengine", "mmaction", "mmcv", '
        '"numpy") if m in sys.modules]\n'
        'assert not heavy, heavy\n')
    subprocess.run([sys.executable, '-c', code], check=True)
