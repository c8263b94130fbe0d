"""The audit's run log resumes from its JSONL, survives a run cut off while
being written, refuses duplicates and other parameters."""
import json

import pytest

from mmprivact.evaluation.audit_run_log import AuditRunLog


def test_resume_and_refusals(tmp_path):
    log = AuditRunLog(str(tmp_path), dict(mode='maskdp', epochs=2))
    log.append(dict(pair=0, world='with', score=-1.0))
    log.append(dict(pair=0, world='without', score=0.5))
    log.append(dict(pair=1, world='with', score=-0.2))
    with pytest.raises(ValueError, match='already recorded'):
        log.append(dict(pair=0, world='with', score=3.0))
    # A run cut off mid-line is ignored on resume.
    with open(log.path, 'a') as f:
        f.write('{"pair": 1, "world": "witho')
    again = AuditRunLog(str(tmp_path), dict(mode='maskdp', epochs=2))
    assert again.done(0, 'with') and again.done(1, 'with')
    assert not again.done(1, 'without')
    assert again.scores('with', pairs=2) == {0: -1.0, 1: -0.2}
    assert again.scores('with', pairs=1) == {0: -1.0}
    assert again.complete_pairs(2) == [0]
    with pytest.raises(ValueError, match=r"epochs: 2 there, 3 now.*--out"):
        AuditRunLog(str(tmp_path), dict(mode='maskdp', epochs=3))
    params = json.loads((tmp_path / 'audit_params.json').read_text())
    assert params == dict(mode='maskdp', epochs=2)
