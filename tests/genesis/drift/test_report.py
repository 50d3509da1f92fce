"""genesis.drift.report: the DriftReport's JSON, markdown, frame and HTML forms."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
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
    assert page.count('<tr class="drift">') == 1
    frame = report.to_frame()
    assert list(frame["column"]) == list(baseline.columns)
    assert "| age |" in report.to_markdown()
    with pytest.raises(KeyError, match="no column 'nope'"):
        report["nope"]
    assert isinstance(report, DriftReport)


def test_no_cell_is_left_blank_in_markdown_or_html(adult_halves):
    baseline, current = adult_halves
    current = current.assign(age=np.nan).drop(columns=["fnlwgt"])  # nothing to compare; absent
    report = DriftDetector().detect(baseline, current)
    markdown = report.to_markdown()
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    cells = [cell.strip() for line in table for cell in line.strip("|").split("|")]
    assert "" not in cells
    assert "| fnlwgt | n/a (not in the current table) |" in markdown
    age = next(line for line in table if line.startswith("| age |"))
    assert "n/a (no values to compare" in age and "| **yes** |" in age
    page = report.to_html()
    assert not re.search(r"<td>\s*</td>", page)
    assert "colspan" not in page
    assert page.count("<tr ") == report.number_of_columns  # one row per judged column


def test_html_escapes_column_names_and_values():
    baseline = pd.DataFrame({"<b>c</b>": ["x"] * 50 + ["y"] * 50})
    current = pd.DataFrame({"<b>c</b>": ["x"] * 50 + ["<script>"] * 50})
    page = DriftDetector().detect(baseline, current).to_html(title="<t>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>c</b>" not in page and "<title>&lt;t&gt;</title>" in page
