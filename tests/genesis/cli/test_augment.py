"""``genesis augment``: writes real + marked synthetic rows, prints the validation table, and
fails with one clear line on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def imbalanced(tmp_path_factory) -> str:
    rng = np.random.default_rng(0)
    label = np.array(["no"] * 570 + ["yes"] * 30)
    df = pd.DataFrame(
        {
            "x": rng.normal(np.where(label == "yes", 2.0, 0.0), 1.0),
            "kind": rng.choice(["p", "q", "r"], 600),
            "label": label,
        }
    )
    path = tmp_path_factory.mktemp("augment") / "imbalanced.csv"
    df.to_csv(path, index=False)
    return str(path)


def test_augment_writes_balanced_rows_and_prints_the_table(invoke, imbalanced, tmp_path):
    out = tmp_path / "balanced.parquet"
    result = invoke(["augment", imbalanced, "--target", "label", "--seed", "1", "-o", out])
    assert result.exit_code == 0, result.output
    df = pd.read_parquet(out)
    assert df.groupby(["label", "is_synthetic"]).size().to_dict() == {
        ("no", False): 570,
        ("yes", False): 30,
        ("yes", True): 540,
    }
    assert (out.stat().st_mode & 0o777) == 0o600  # it holds the real rows
    assert "| real only" in result.stdout and "| + SMOTE-NC" in result.stdout
    assert "| + Genesis (cart)" in result.stdout and "Verdict:" in result.stdout
    assert "wrote 1,140 rows (540 synthetic, method cart)" in result.stderr
    again = invoke(["augment", imbalanced, "-t", "label", "-s", "1", "-o", tmp_path / "b.parquet"])
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "b.parquet"), df)
    assert again.stdout == result.stdout


def test_ratio_method_and_no_validate(invoke, imbalanced, tmp_path):
    out = tmp_path / "half.csv"
    result = invoke(
        [
            "augment",
            imbalanced,
            "-t",
            "label",
            "--ratio",
            "0.5",
            "--method",
            "gaussian_copula",
            "--no-validate",
            "-o",
            out,
        ]
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["label"].value_counts().to_dict() == {"no": 570, "yes": 285}
    assert "method gaussian_copula" in result.stderr and result.stdout == ""


def test_errors(invoke, error_line, imbalanced, tmp_path):
    out = tmp_path / "o.csv"
    unknown = invoke(["augment", imbalanced, "-t", "lable", "-o", out])
    assert unknown.exit_code == 1
    assert "did you mean 'label'" in error_line(unknown)
    multiclass = invoke(["augment", imbalanced, "-t", "kind", "-o", out, "--no-validate"])
    assert multiclass.exit_code == 0, multiclass.output  # three classes: fine
    quantity = invoke(["augment", imbalanced, "-t", "x", "-o", out])
    assert quantity.exit_code == 1 and "distinct values" in error_line(quantity)
    for bad in (["--ratio", "0"], ["--ratio", "1.5"], ["--method", "smote"], ["--seed", "-1"]):
        result = invoke(["augment", imbalanced, "-t", "label", "-o", out, *bad])
        assert result.exit_code == 2, (bad, result.output)
    suffix = invoke(["augment", imbalanced, "-t", "label", "-o", tmp_path / "o.txt"])
    assert suffix.exit_code == 2 and "cannot tell the format" in suffix.output
    missing = invoke(["augment", tmp_path / "none.csv", "-t", "label", "-o", out])
    assert missing.exit_code == 1 and "none.csv" in error_line(missing)
    assert not out.with_name("o.txt").exists()
