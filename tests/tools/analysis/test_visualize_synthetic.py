"""The contact-sheet tool draws one row per action from a generated set."""
import subprocess
import sys
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[3]


def test_contact_sheet_has_one_row_per_action(tiny_synthetic, tmp_path):
    out = tmp_path / 'sheet.png'
    res = subprocess.run(
        [sys.executable, str(REPO / 'tools/analysis/visualize_synthetic.py'),
         '--data', str(tiny_synthetic), '--frames', '3', '--scale', '2',
         '--out', str(out)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    sheet = cv2.imread(str(out))
    size = 64 * 2  # tiny set frames, upscaled
    assert sheet.shape == (8 * (14 + size), 2 * 3 * size, 3)
    # The right half (mask overlay) is greener than the left half (raw).
    left, right = sheet[:, :3 * size], sheet[:, 3 * size:]
    assert right[..., 1].mean() > left[..., 1].mean()
