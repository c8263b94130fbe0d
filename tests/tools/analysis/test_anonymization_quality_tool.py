"""The anonymization measurement tool runs end to end (dataset skeletons
config, one synthetic clip) and writes its tables."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'tools' /
                       'analysis'))
import anonymization_quality  # noqa: E402


def test_tool_writes_results(tmp_path, tiny_synthetic,
                             skeleton_anonymizer_config_file):
    config = skeleton_anonymizer_config_file
    out = tmp_path / 'q'
    anonymization_quality.main([
        '--config', str(config), '--no-builtin', '--synthetic', '1',
        '--data', str(tiny_synthetic), '--out', str(out)])
    rows = json.loads((out / 'results.json').read_text())['rows']
    assert len(rows) == 1 and rows[0]['person_mask'] == 'ground truth'
    assert rows[0]['avatar_in_person_box'] > 0.7
    assert rows[0]['background_psnr_before_encoding'] == float('inf')
    assert 25 < rows[0]['background_psnr'] < 80  # codec loss only
    assert '| clip |' in (out / 'results.md').read_text()
