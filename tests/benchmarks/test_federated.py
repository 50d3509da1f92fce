"""benchmarks/federated.py on a tiny configuration: arguments, the table, the targets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import federated  # noqa: E402


@pytest.mark.parametrize(
    "argv", [["--sites", "1"], ["--alphas", "0"], ["--epsilons", "0"], ["--draws", "0"]]
)
def test_bad_arguments_are_refused(argv):
    with pytest.raises(SystemExit):
        federated.parse_args(argv)


@pytest.mark.slow
def test_a_tiny_run_writes_the_comparison(tmp_path, datasets_dir, capsys):
    out = tmp_path / "federated.md"
    federated.main(
        ["--data", str(datasets_dir / "adult.csv"), "--rows", "1500", "--sites", "3",
         "--alphas", "1", "--epsilons", "inf", "1", "--columns", "race", "--draws", "1",
         "--min-samples", "50", "--out", str(out)]
    )  # fmt: skip
    text = out.read_text()
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| ")][1:]
    settings = [(r[0].lstrip("| "), r[1], r[2]) for r in rows]
    assert settings[0] == ("pooled", "centralized copula", "∞")
    for split in ("IID", "race alpha=1"):
        assert (split, "federated copula", "∞") in settings
        assert (split, "federated copula", "1") in settings
        assert any(s == split and m.startswith("local-only") for s, m, _ in settings)
    federated_rows = [r for r in rows if r[1] == "federated copula"]
    assert all(r[6] == "3" for r in federated_rows)  # support, marginals, correlation
    by_eps = {(r[0].lstrip("| "), r[2]): int(r[7].replace(",", "")) for r in federated_rows}
    # the DP run uses the coarser grid: fewer bytes than the exact run
    assert by_eps[("IID", "1")] < by_eps[("IID", "∞")]
    for r in rows:
        assert 0.0 < float(r[3]) <= 1.0 and 0.0 <= float(r[5]) <= 1.0
    assert "- IID: |federated − central|" in text
    assert "spent {'epsilon': 1.0, 'delta': 1e-05}" in text
