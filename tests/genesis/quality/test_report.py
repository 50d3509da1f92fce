"""QualityReport: JSON-safe export and the columns that give the synthetic table away."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genesis.errors import DataWriteError, InvalidParameterError
from genesis.quality import QualityReport
from genesis.quality.report import (
    detection_measured,
    giveaway_sentence,
    giveaway_table,
)


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


def _details() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "column": ["minute", "dep_time", "carrier", "id"],
            "metric": ["KSComplement", "KSComplement", "TVComplement", None],
            "score": [0.9, 0.81, 0.99, np.nan],
            "detection_auc": [0.68, 0.73, 0.52, np.nan],
        }
    )


def test_giveaway_table_ranks_the_columns_above_the_threshold():
    table = giveaway_table(_details())
    assert table.to_dict(orient="list") == {
        "column": ["dep_time", "minute"],
        "detection_auc": [0.73, 0.68],
        "score": [0.81, 0.9],
        "metric": ["KSComplement", "KSComplement"],
    }
    assert giveaway_table(_details(), 0.7)["column"].tolist() == ["dep_time"]
    # a stored report's records give the same table
    records = _details().to_dict(orient="records")
    assert giveaway_table(records).equals(table)
    assert giveaway_sentence(records) == (
        "2 columns give the synthetic table away on their own (detection AUC above 0.6; "
        "0.5 = indistinguishable): dep_time (detection AUC 0.73, shape score 0.81), "
        "minute (detection AUC 0.68, shape score 0.90)."
    )
    assert giveaway_sentence(_details(), 0.75).startswith("No column gives the synthetic table")


def test_a_report_without_per_column_detection_says_it_was_not_measured():
    stored = [{"column": "age", "score": 0.9}]  # stored before per-column detection existed
    assert not detection_measured(stored) and giveaway_table(stored).empty
    assert giveaway_sentence(stored).startswith("Per-column detection was not measured")
    assert giveaway_sentence([]).startswith("Per-column detection was not measured")


@pytest.mark.parametrize("threshold", [0.4, 1.0, float("nan"), "0.6", True, None])
def test_a_giveaway_threshold_outside_half_to_one_is_refused(threshold):
    with pytest.raises(InvalidParameterError, match=r"giveaway threshold .* \[0.5, 1\)"):
        giveaway_table(_details(), threshold)


def test_column_details_of_the_wrong_type_are_refused():
    with pytest.raises(InvalidParameterError, match="column_details must be"):
        giveaway_table("age")
