"""The audit report: JSON, the Jinja2 HTML page and the compact Markdown table."""

from __future__ import annotations

import json
import re

from genesis.privacy_attacks.audit_report import display_rows


def test_to_json_and_to_html(audits, tmp_path):
    report = audits["leaky"]
    text = report.to_json(tmp_path / "audit.json")
    loaded = json.loads((tmp_path / "audit.json").read_text())
    assert loaded == json.loads(text)
    assert loaded["overall_risk"] == report.overall_risk.value
    assert loaded["passed"] is False
    assert loaded["failed_checks"] == report.failed_checks
    assert loaded["membership_result"]["kind"] == "MembershipResult"
    assert loaded["membership_result"]["details"]["auc_ci"][0] > 0.5
    assert loaded["copy_check"]["exact_copies"] > 0
    page = report.to_html(tmp_path / "sub" / "audit.html")
    assert (tmp_path / "sub" / "audit.html").read_text() == page
    # the verdict comes first, and nothing is fetched from elsewhere
    assert page.index("FAILED") < page.index("Attacks")
    assert "<style>" in page and "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page
    assert "95% CI" in page and "Copied training rows" in page
    assert not list(tmp_path.glob("**/*.tmp"))


def test_every_attack_row_shows_risk_interval_level_limit_and_flag(audits):
    report = audits["cart"]
    page = report.to_html()
    table = page[page.index("<h2>Attacks</h2>") : page.index("</table>")]
    rows = re.findall(r"<tr>(<td>.*?)</tr>", table, flags=re.S)
    assert len(rows) == len(report.results)
    for row, result in zip(rows, report.results, strict=True):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        name, risk, interval, level, limit, flag = cells
        assert re.fullmatch(r"\d\.\d{3}", risk), risk  # rounded to 3 decimals
        assert re.fullmatch(r"\d\.\d{3}–\d\.\d{3}", interval), interval  # never negative
        assert result.risk_level.value in level
        assert limit == report.max_risk_level.value
        assert flag.startswith("yes") == result.inconclusive


def test_negative_interval_ends_are_clipped_and_explained(audits):
    report = audits["shuffled"]
    assert any(r.risk_ci[0] < 0 for r in report.results)  # shuffled columns leak nothing
    rows = display_rows(report)
    assert any(r["clipped"] for r in rows)
    assert all(not r["ci"].startswith("-") for r in rows)
    page = report.to_html()
    assert "shown as 0" in page
    assert not re.search(r"(?<![\d.])-\d\.\d{3}", page[page.index("<h2>Attacks</h2>") :])


def test_markdown_is_a_compact_table(audits):
    report = audits["leaky"]
    text = report.to_markdown()
    assert text.startswith("**Privacy audit FAILED**")
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table[0] == "| attack | risk | 95% CI | level | limit | note |"
    assert len(table) == 2 + len(report.results) + 1  # header, rule, attacks, copies
    assert table[2].startswith("| membership |")
    assert any(line.startswith("| copies |") and "EXCESS" in line for line in table)
    # short cells: no long sentence for a narrow pane to wrap letter by letter
    for line in table:
        assert all(len(cell.strip()) <= 24 for cell in line.strip("|").split("|")), line
    assert "shown as 0" in audits["shuffled"].to_markdown()


def test_rare_value_sentence_names_the_columns_and_how():
    from genesis.privacy_attacks.audit_report import rare_values_sentence

    text = rare_values_sentence(
        {"rare_rows": 5, "columns": {"tailnum": "pattern", "dest": "pattern", "notes": "faker"}}
    )
    assert "fewer than 5 training rows" in text and "none was copied" in text
    assert "tailnum, dest (new codes in the real values' pattern)" in text
    assert "notes (Faker values of the column's type)" in text
    assert "No column had rare values" in rare_values_sentence({"rare_rows": 5, "columns": {}})
    assert "not replaced" in rare_values_sentence({"rare_rows": 1, "columns": {}})
    assert rare_values_sentence(None) is None


def test_the_audit_reports_how_the_model_replaced_rare_values():
    import numpy as np
    import pandas as pd

    from genesis.generators import SyntheticGenerator
    from genesis.privacy_attacks import PrivacyAttackTester

    rng = np.random.default_rng(0)
    codes = [f"F{i:02d}" for i in range(70)] * 15 + [f"Q{i:04d}X" for i in range(450)]
    real = pd.DataFrame({"code": rng.permutation(np.array(codes, dtype=object)),
                         "x": rng.normal(size=len(codes))})  # fmt: skip
    train, holdout = (
        real.iloc[:1200].reset_index(drop=True),
        real.iloc[1200:].reset_index(drop=True),
    )
    model = SyntheticGenerator("gaussian_copula", seed=0).fit(train)
    synthetic = model.generate(len(train))
    report = PrivacyAttackTester(seed=0, max_rows=500).run_all_attacks(
        train, synthetic, holdout, model=model
    )
    assert report.rare_values == {"rare_rows": 5, "columns": {"code": "pattern"}}
    sentence = "code (new codes in the real values&#39; pattern)"
    assert "<h2>Rare values</h2>" in report.to_html() and sentence in report.to_html()
    assert "code (new codes in the real values' pattern)" in report.to_markdown()
    assert json.loads(report.to_json())["rare_values"]["columns"] == {"code": "pattern"}
    without = PrivacyAttackTester(seed=0, max_rows=500).run_all_attacks(train, synthetic, holdout)
    assert without.rare_values is None and "Rare values" not in without.to_html()
