"""benchmarks/domains.py runs end to end on a small scale and reports every domain."""

from __future__ import annotations

import pytest

from benchmarks import domains


def test_domains_benchmark_small_run(tmp_path):
    out = tmp_path / "domains.md"
    assert domains.main(["--rows", "300", "--out", str(out)]) == 0
    text = out.read_text()
    for name in ("HealthcareGenerator", "FinanceGenerator", "RetailGenerator"):
        assert f"| {name} | 300 " in text
    assert "not measured at this size" in text
    assert "| 0 |" in text  # no violation
    assert not list(tmp_path.glob("*.tmp"))


def test_bad_rows_are_refused(capsys):
    with pytest.raises(SystemExit):
        domains.main(["--rows", "0"])
    assert "--rows must be at least 1" in capsys.readouterr().err
