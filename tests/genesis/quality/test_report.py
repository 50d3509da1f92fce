"""QualityReport: JSON-safe export."""

from __future__ import annotations

import json

import pytest

from genesis.errors import DataWriteError
from genesis.quality import QualityReport


def test_report_is_json_safe(identical_report: QualityReport, tmp_path) -> None:
    data = identical_report.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["ml_utility"] == {}
    assert len(data["column_details"]) == 15
    assert data["pair_details"][0].keys() >= {"column_1", "column_2", "metric", "score"}
    # NaN (no correlation for a categorical pair) becomes None
    assert any(p["real_correlation"] is None for p in data["pair_details"])
    path = tmp_path / "report.json"
    text = identical_report.to_json(path)
    assert json.loads(path.read_text()) == json.loads(text)
    assert json.loads(text)["quality_score"] == pytest.approx(1.0)
    with pytest.raises(DataWriteError, match="could not write"):
        identical_report.to_json(tmp_path / "missing-folder" / "report.json")
    assert "quality_score=1.0000" in repr(identical_report)
