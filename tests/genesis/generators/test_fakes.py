"""Fakes for identifiers, PII and free text: realistic, seeded, shaped like the source, never real."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.generators import SyntheticGenerator
from genesis.generators.fakes import (
    luhn_valid,
    pattern_templates,
    unique_from_pattern,
    unique_integers,
)
from genesis.schema import ColumnKind, ColumnSchema, Schema, SemanticType


def test_patterns_keep_shared_characters_and_redraw_the_rest():
    real = np.array([f"AB-{i:04d}-x{chr(97 + i % 26)}" for i in range(300)], dtype=object)
    pattern = pattern_templates(real)
    fakes = unique_from_pattern(pattern, 2000, np.random.default_rng(0))
    assert pd.Series(fakes).is_unique
    assert pd.Series(fakes).str.fullmatch(r"AB-\d{4}-x[a-z]").all()


def test_unique_integers_stay_in_range_and_widen_when_needed():
    rng = np.random.default_rng(0)
    values = unique_integers(50, 100, 199, rng)
    assert len(set(values)) == 50 and values.min() >= 100 and values.max() <= 199
    wide = unique_integers(500, 100, 199, rng)
    assert len(set(wide)) == 500 and wide.min() >= 100


def test_luhn_check():
    assert luhn_valid(
        np.array(["4111111111111111", "4111 1111 1111 1112", "79927398713"], dtype=object)
    ).tolist() == [True, False, True]


def test_luhn_complete_agrees_with_stdnum():
    from stdnum import luhn

    from genesis.generators.fakes import _code_points, _codes_to_strings, luhn_complete

    rng = np.random.default_rng(0)
    bodies = np.array(
        ["".join(map(str, rng.integers(0, 10, int(k)))) for k in rng.integers(12, 19, 500)],
        dtype=object,
    )
    completed = _codes_to_strings(luhn_complete(_code_points(bodies)))
    assert all(luhn.is_valid(v) for v in completed)


def _pii_table(n: int = 400) -> tuple[pd.DataFrame, Schema]:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "card": [f"4{rng.integers(10**14, 10**15 - 1)}" for _ in range(n)],
            "phone": [
                f"+1 (212) {rng.integers(200, 999)}-{rng.integers(1000, 9999)}" for _ in range(n)
            ],
            "ip": [".".join(map(str, rng.integers(1, 255, 4))) for _ in range(n)],
            "site": [f"https://real-{i}.example.org/page" for i in range(n)],
            "birth": pd.Series(
                pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 25_000, n), unit="D")
            ).dt.strftime("%d.%m.%Y"),
            "ssn": [
                f"{rng.integers(100, 999)}-{rng.integers(10, 99)}-{rng.integers(1000, 9999)}"
                for _ in range(n)
            ],
            "review": [" ".join(["good"] * int(k)) + "." for k in rng.integers(1, 40, n)],
        }
    )
    schema = Schema(
        [
            ColumnSchema(
                "card",
                ColumnKind.CATEGORICAL,
                "object",
                semantic_type=SemanticType.CREDIT_CARD,
                pii=True,
                unique=True,
            ),
            ColumnSchema(
                "phone",
                ColumnKind.CATEGORICAL,
                "object",
                semantic_type=SemanticType.PHONE,
                pii=True,
            ),
            ColumnSchema(
                "ip",
                ColumnKind.CATEGORICAL,
                "object",
                semantic_type=SemanticType.IP_ADDRESS,
                pii=True,
            ),
            ColumnSchema("site", ColumnKind.CATEGORICAL, "object", semantic_type=SemanticType.URL),
            ColumnSchema(
                "birth",
                ColumnKind.DATETIME,
                "object",
                datetime_format="%d.%m.%Y",
                semantic_type=SemanticType.DATE_OF_BIRTH,
                pii=True,
            ),
            ColumnSchema(
                "ssn",
                ColumnKind.CATEGORICAL,
                "object",
                semantic_type=SemanticType.NATIONAL_ID,
                pii=True,
            ),
            ColumnSchema("review", ColumnKind.TEXT, "object"),
        ]
    )
    return df, schema


def test_each_semantic_type_gets_a_realistic_fake():
    real, schema = _pii_table()
    synthetic = SyntheticGenerator("gaussian_copula").fit(real, schema).generate(1000)
    pd.testing.assert_series_equal(synthetic.dtypes, real.dtypes)
    for column in real.columns:
        if column not in ("review", "birth"):  # dates of birth repeat by nature
            assert not set(synthetic[column]) & set(real[column]), column
    assert luhn_valid(synthetic["card"].to_numpy()).all() and synthetic["card"].is_unique
    assert synthetic["card"].str.fullmatch(r"\d{16}").all()
    assert synthetic["phone"].str.fullmatch(r"\+1 \(212\) \d{3}-\d{4}").all()
    octets = synthetic["ip"].str.split(".", expand=True).astype(int)
    assert octets.shape[1] == 4 and octets.ge(0).all().all() and octets.le(255).all().all()
    assert synthetic["site"].str.match(r"https?://").all()
    births = pd.to_datetime(synthetic["birth"], format="%d.%m.%Y")
    real_births = pd.to_datetime(real["birth"], format="%d.%m.%Y")
    assert births.min() >= real_births.min() and births.max() <= real_births.max()
    assert synthetic["ssn"].str.fullmatch(r"\d{3}-\d{2}-\d{4}").all()
    lengths, real_lengths = synthetic["review"].str.len(), real["review"].str.len()
    assert abs(lengths.median() - real_lengths.median()) < 0.3 * real_lengths.median()
    assert not synthetic["review"].isin(real["review"]).all()


def test_fakes_are_seeded():
    real, schema = _pii_table(100)
    generator = SyntheticGenerator("cart").fit(real, schema)
    pd.testing.assert_frame_equal(generator.generate(50, seed=4), generator.generate(50, seed=4))
    assert not generator.generate(50, seed=4)["phone"].equals(
        generator.generate(50, seed=5)["phone"]
    )


@pytest.mark.parametrize("n", [10, 5000])
def test_pii_with_missing_values_keeps_its_null_share(n):
    rng = np.random.default_rng(0)
    emails = pd.Series([f"person{i}@corp.example" for i in range(1000)], dtype=object)
    emails[rng.random(1000) < 0.3] = None
    real = pd.DataFrame({"email": emails, "x": rng.normal(size=1000)})
    synthetic = SyntheticGenerator("gaussian_copula").fit(real).generate(n)
    assert synthetic["email"].dtype == object
    if n > 1000:
        assert abs(synthetic["email"].isna().mean() - emails.isna().mean()) < 0.03
    assert not set(synthetic["email"].dropna()) & set(emails.dropna())


def test_unique_first_names_beyond_the_pool_stay_unique_and_new():
    names = pd.Series(
        [f"Realname{chr(65 + i % 26)}{chr(97 + i // 26 % 26)}{i}" for i in range(1500)]
    )
    real = pd.DataFrame({"first_name": names})
    schema = Schema(
        [
            ColumnSchema(
                "first_name",
                ColumnKind.CATEGORICAL,
                "object",
                semantic_type=SemanticType.PERSON_NAME,
                pii=True,
                unique=True,
            )
        ]
    )
    synthetic = SyntheticGenerator("cart").fit(real, schema).generate(3000)["first_name"]
    assert synthetic.is_unique and not synthetic.isin(names).any()
    assert synthetic.str.fullmatch(r"[A-Z][a-z]+( [A-Z]\.)?(-\d+)?").all()
