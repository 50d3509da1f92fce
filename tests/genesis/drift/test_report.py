"""genesis.drift.report: the DriftReport's JSON, markdown, frame and HTML forms."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genesis.drift import DriftDetector, DriftReport


def test_report_serialises(adult_halves):
    baseline, current = adult_halves
    current = current.assign(age=np.nan)
    report = DriftDetector().detect(baseline, current)
    data = json.loads(report.to_json())
    assert data["drifted_columns"] == report.drifted_columns == ["age"]
    assert data["columns"][0]["value"] is None  # NaN -> null: valid JSON
    assert data["dataset_drift"] is False and data["share"] == pytest.approx(1 / 15)
    page = report.to_html(title="adult <drift>")
    assert page.startswith("<!DOCTYPE html>") and "adult &lt;drift&gt;" in page
    assert "<script" not in page and "http" not in page  # self-contained
    assert page.count("<tr class='drift'>") == 1
    frame = report.to_frame()
    assert list(frame["column"]) == list(baseline.columns)
    assert "| age |" in report.to_markdown()
    with pytest.raises(KeyError, match="no column 'nope'"):
        report["nope"]
    assert isinstance(report, DriftReport)
