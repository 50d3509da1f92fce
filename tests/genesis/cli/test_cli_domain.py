"""``genesis generate-domain``: healthcare tables written to a folder, seeds, formats, row
options per domain, and usage errors."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis.domains import DOMAINS, HealthcareGenerator, codes

TABLES = ("patients", "clinical_events", "lab_results", "medications")


def _flat(text: str) -> str:
    """Click's boxed error message as one line."""
    return " ".join(text.replace("│", " ").split())


def test_healthcare_writes_linked_valid_tables(invoke, tmp_path):
    out = tmp_path / "health"
    result = invoke(
        ["generate-domain", "healthcare", "--patients", "300", "-o", out, "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    tables = {t: pd.read_parquet(out / f"{t}.parquet") for t in TABLES}
    assert len(tables["patients"]) == 300
    for name in TABLES[1:]:
        assert tables[name]["patient_id"].isin(tables["patients"]["patient_id"]).all()
    assert codes.valid_loinc(tables["lab_results"]["loinc_code"]).all()
    assert HealthcareGenerator(seed=4).violations(tables) == []
    assert "wrote 300 rows of patients" in result.stderr
    assert "validity rules of healthcare: all hold" in result.stderr
    # the files hold what the library generates with the same seed
    expected = HealthcareGenerator(seed=4).generate_default(300)
    pd.testing.assert_frame_equal(
        tables["medications"], expected["medications"], check_categorical=False
    )


def test_rows_option_csv_format_and_seed(invoke, tmp_path):
    for folder, seed in (("a", 1), ("b", 1), ("c", 2)):
        args = ["generate-domain", "healthcare", "-n", "120", "-o", tmp_path / folder]
        result = invoke([*args, "--seed", seed, "--format", "csv"])
        assert result.exit_code == 0, result.output
    read = {f: pd.read_csv(tmp_path / f / "lab_results.csv") for f in "abc"}
    pd.testing.assert_frame_equal(read["a"], read["b"])
    assert not read["a"].equals(read["c"])
    assert pd.read_csv(tmp_path / "a" / "patients.csv").shape[0] == 120


def test_default_row_count(invoke, tmp_path):
    result = invoke(["generate-domain", "healthcare", "-o", tmp_path])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(tmp_path / "patients.parquet")) == 1_000


@pytest.mark.parametrize(
    ("domain", "option", "table"),
    [("retail", "--customers", "customers"), ("finance", "--customers", "customers"),
     ("finance", "--accounts", "accounts"), ("finance", "-n", "customers")],
)  # fmt: skip
def test_per_domain_row_options(invoke, tmp_path, domain, option, table):
    result = invoke(["generate-domain", domain, option, "160", "-o", tmp_path, "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = len(pd.read_csv(tmp_path / f"{table}.csv"))
    # the root table gets exactly N rows; another table (finance's accounts) about N
    assert rows == 160 if table == "customers" else abs(rows - 160) <= 3, rows


def test_every_registered_domain_is_reachable(invoke, tmp_path):
    for name in DOMAINS:
        result = invoke(["generate-domain", name, "-n", "50", "-o", tmp_path / name])
        assert result.exit_code == 0, (name, result.output)
        assert any((tmp_path / name).iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown domain 'nope'"),
        (["healthcare", "--accounts", "5"], "applies to the finance domain"),
        (["healthcare", "--customers", "5"], "applies to the retail and finance domains"),
        (["retail", "--patients", "5"], "use --customers or -n"),
        (["healthcare", "-n", "5", "--patients", "5"], "give the row count once"),
        (["healthcare", "-n", "0"], "greater than or equal to 1"),
        (["healthcare", "--patients", "-3"], "greater than or equal to 1"),
        (["healthcare", "--format", "xml"], "'xml' is not one of"),
        (["healthcare", "--seed", "-1"], "greater than or equal to 0"),
    ],
)
def test_usage_errors_exit_2(invoke, tmp_path, args, message):
    result = invoke(["generate-domain", *args, "-o", tmp_path / "out"])
    assert result.exit_code == 2, result.output
    assert message in _flat(result.output)
    assert not (tmp_path / "out").exists()


def test_output_must_be_a_folder(invoke, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = invoke(["generate-domain", "healthcare", "-n", "5", "-o", target])
    assert result.exit_code == 2 and "give a folder" in _flat(result.output)


def test_missing_output_is_a_usage_error(invoke):
    assert invoke(["generate-domain", "healthcare"]).exit_code == 2


def test_unwritable_output_fails_with_one_line(invoke, error_line, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    result = invoke(["generate-domain", "healthcare", "-n", "5", "-o", blocker / "sub"])
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith("error: ")
