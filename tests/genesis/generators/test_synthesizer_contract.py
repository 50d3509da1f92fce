"""The contract every method honours: format, seeds, persistence, validation, edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    InvalidDataError,
    InvalidParameterError,
    ModelLoadError,
    NotFittedError,
    SchemaError,
    TooFewRowsError,
)
from genesis.generators import METHODS, SyntheticGenerator, get_synthesizer_class
from genesis.generators.base import RARE_ROWS
from genesis.schema import infer_schema

NEURAL = ("ctgan", "tvae")


def _data(method, adult_small, adult_tiny):
    return adult_tiny if method in NEURAL else adult_small


@pytest.fixture(scope="module", params=METHODS)
def fitted_adult(request, adult_small, adult_tiny, fast_params):
    method = request.param
    real = _data(method, adult_small, adult_tiny)
    schema = infer_schema(real)
    generator = SyntheticGenerator(method, seed=0, **fast_params(method)).fit(real, schema)
    return method, real, schema, generator


@pytest.fixture(scope="module", params=METHODS)
def fitted_weather(request, weather_small, weather_tiny, fast_params):
    method = request.param
    real = weather_tiny if method in NEURAL else weather_small
    schema = infer_schema(real)
    generator = SyntheticGenerator(method, seed=0, **fast_params(method)).fit(real, schema)
    return method, real, schema, generator


def test_adult_rows_keep_the_source_format(fitted_adult, check_format):
    method, real, schema, generator = fitted_adult
    synthetic = generator.generate(1500)
    assert len(synthetic) == 1500
    check_format(real, synthetic, schema)
    assert generator.schema_ is schema
    assert generator.fit_seconds_ > 0
    assert generator.method == method


# one training epoch teaches a neural net no frequencies: test_neural trains them longer
@pytest.mark.parametrize("fitted_adult", [m for m in METHODS if m not in NEURAL], indirect=True)
def test_adult_missing_token_share_round_trips(fitted_adult):
    _, real, _, generator = fitted_adult
    synthetic = generator.generate(3000)
    for column in ("workclass", "occupation"):
        real_share = (real[column] == "?").mean()
        synthetic_share = (synthetic[column] == "?").mean()
        assert abs(real_share - synthetic_share) <= 0.03, (column, real_share, synthetic_share)


def test_weather_rows_keep_format_nulls_and_timestamps(fitted_weather, check_format):
    method, real, schema, generator = fitted_weather
    synthetic = generator.generate(2000)
    check_format(real, synthetic, schema)
    if method not in NEURAL:  # one training epoch teaches a neural net no null rates
        for column in ("wind_gust", "pressure"):
            assert abs(real[column].isna().mean() - synthetic[column].isna().mean()) <= 0.05, column
        assert synthetic["wind_gust"].isna().mean() > 0.7
    stamps = synthetic["time_hour"]
    assert stamps.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00Z").all()  # same format, still hourly
    assert not stamps.str.startswith("1970").any()
    assert (synthetic["year"] == 2013).all()  # the constant column


def test_same_seed_same_rows_different_seed_different_rows(fitted_adult):
    _, _, _, generator = fitted_adult
    first = generator.generate(300, seed=7)
    pd.testing.assert_frame_equal(first, generator.generate(300, seed=7))
    pd.testing.assert_frame_equal(generator.generate(200), generator.generate(200))
    assert not first.equals(generator.generate(300, seed=8))


def test_refit_with_the_same_seed_gives_the_same_model(fitted_adult, fast_params):
    method, real, schema, generator = fitted_adult
    again = SyntheticGenerator(method, seed=0, **fast_params(method)).fit(real, schema)
    pd.testing.assert_frame_equal(generator.generate(200, seed=3), again.generate(200, seed=3))


def test_save_and_load_give_identical_rows(fitted_adult, tmp_path):
    method, _, _, generator = fitted_adult
    path = tmp_path / "models" / f"{method}.genesis"
    assert generator.save(path) == str(path)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # atomic: no leftovers
    loaded = SyntheticGenerator.load(path)
    assert loaded.method == method
    pd.testing.assert_frame_equal(loaded.generate(250, seed=5), generator.generate(250, seed=5))
    direct = get_synthesizer_class(method).load(path)
    pd.testing.assert_frame_equal(direct.generate(100, seed=1), generator.generate(100, seed=1))


def test_zero_rows_keep_columns_and_dtypes(fitted_adult):
    _, real, _, generator = fitted_adult
    empty = generator.generate(0)
    assert empty.shape == (0, real.shape[1])
    pd.testing.assert_series_equal(empty.dtypes, real.dtypes)


@pytest.mark.parametrize("method", METHODS)
def test_generate_before_fit_raises_not_fitted(method, tmp_path):
    generator = SyntheticGenerator(method)
    with pytest.raises(NotFittedError, match="fit"):
        generator.generate(10)
    with pytest.raises(NotFittedError):
        generator.save(tmp_path / "m.genesis")
    with pytest.raises(NotFittedError):
        _ = generator.schema_


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([[1, 2], [3, 4]], "DataFrame"),
        (pd.DataFrame(), "no columns"),
        (pd.DataFrame({"a": []}), "no rows"),
        (pd.DataFrame({0: [1, 2]}), "strings"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), "duplicate"),
    ],
)
def test_fit_rejects_bad_tables(bad, message):
    with pytest.raises(InvalidDataError, match=message):
        SyntheticGenerator("gaussian_copula").fit(bad)


def test_fit_rejects_a_schema_of_another_table(adult_small):
    schema = infer_schema(adult_small[["age", "income"]])
    with pytest.raises(SchemaError, match="does not match"):
        SyntheticGenerator("cart").fit(adult_small, schema)
    with pytest.raises(InvalidParameterError, match="Schema"):
        SyntheticGenerator("cart").fit(adult_small, schema={"columns": []})


@pytest.mark.parametrize("n", [-1, 2.5, "10", None, True])
def test_generate_rejects_bad_row_counts(fitted_adult, n):
    _, _, _, generator = fitted_adult
    with pytest.raises(InvalidParameterError, match="n must be"):
        generator.generate(n)


def test_generate_rejects_a_bad_seed(fitted_adult):
    with pytest.raises(InvalidParameterError, match="seed"):
        fitted_adult[3].generate(5, seed=-3)


@pytest.mark.parametrize("method", METHODS)
def test_bad_shared_parameters_are_reported_at_fit(method, adult_tiny):
    with pytest.raises(InvalidParameterError, match="max_categories"):
        SyntheticGenerator(method, max_categories=1).fit(adult_tiny)
    with pytest.raises(InvalidParameterError, match="seed"):
        SyntheticGenerator(method, seed="zero").fit(adult_tiny)


def test_load_reports_missing_and_corrupt_files(tmp_path, fitted_adult):
    with pytest.raises(ModelLoadError, match="no model file"):
        SyntheticGenerator.load(tmp_path / "absent.genesis")
    junk = tmp_path / "junk.genesis"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(ModelLoadError, match="not a Genesis model"):
        SyntheticGenerator.load(junk)
    good = tmp_path / "good.genesis"
    fitted_adult[3].save(good)
    truncated = tmp_path / "truncated.genesis"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ModelLoadError, match="corrupt"):
        SyntheticGenerator.load(truncated)


# --- edge cases, every method -----------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_one_row_table_is_refused_not_copied(method, fast_params):
    real = pd.DataFrame({"a": [3], "b": ["x"], "c": [2.5], "d": pd.to_datetime(["2020-01-01"])})
    with pytest.raises(TooFewRowsError, match="1 row, fewer than the 10 .* only reproduce them"):
        SyntheticGenerator(method, **fast_params(method)).fit(real)


@pytest.fixture(scope="module")
def awkward_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    mixed_values = np.array([1, "a", 2.5, "b", 7], dtype=object)
    return pd.DataFrame(
        {
            "âge (années)": rng.integers(18, 90, n),
            "温度": np.round(rng.normal(20, 5, n), 1),
            "all_null": np.full(n, np.nan),
            "constant": "same",
            "mixed": mixed_values[rng.integers(0, 5, n)],
            "city": pd.Series([f"city-{i}" for i in rng.integers(0, 10_000, n)], dtype=object),
            "label": pd.Categorical(
                rng.choice(["x", "y", "z"], n), categories=["x", "y", "z", "w"]
            ),
            "flag": rng.random(n) < 0.3,
            "count": pd.array(
                np.where(rng.random(n) < 0.2, None, rng.integers(0, 50, n)), dtype="Int64"
            ),
        }
    )


@pytest.mark.parametrize("method", METHODS)
def test_awkward_columns(method, awkward_table, fast_params):
    real = awkward_table
    synthetic = SyntheticGenerator(method, **fast_params(method)).fit(real).generate(300)
    pd.testing.assert_series_equal(synthetic.dtypes, real.dtypes)
    assert list(synthetic.columns) == [
        "âge (années)",
        "温度",
        "all_null",
        "constant",
        "mixed",
        "city",
        "label",
        "flag",
        "count",
    ]
    assert synthetic["all_null"].isna().all()
    assert (synthetic["constant"] == "same").all()
    real_mixed = {(type(v), v) for v in real["mixed"]}
    assert {
        (type(v), v) for v in synthetic["mixed"]
    } <= real_mixed  # same values, same Python types
    # every city is held by fewer than RARE_ROWS rows: replaced by new ones in their pattern
    assert not synthetic["city"].isin(real["city"]).any()
    assert synthetic["city"].str.fullmatch(r"city-\d+").all()
    assert list(synthetic["label"].cat.categories) == ["x", "y", "z", "w"]
    assert synthetic["count"].isna().any() and synthetic["count"].notna().any()


def test_ten_thousand_categories_fit_fast_and_light():
    import time
    import tracemalloc

    rng = np.random.default_rng(1)
    n = 20_000
    real = pd.DataFrame(
        {
            "code": [f"k{i}" for i in rng.permutation(10_000)[rng.integers(0, 10_000, n)]],
            "value": rng.normal(size=n),
        }
    )
    for method in ("gaussian_copula", "cart"):
        tracemalloc.start()
        start = time.perf_counter()
        generator = SyntheticGenerator(method, max_categories=50).fit(real)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert elapsed < 10, (method, elapsed)
        assert peak < 200 * 2**20, (method, peak)  # no 20,000 x 10,000 one-hot matrix
        assert generator.synthesizer.transformer_.n_codes_["code"] == 50
        synthetic = generator.generate(5000)
        counts = real["code"].value_counts()
        frequent = set(counts.index[counts >= RARE_ROWS])
        # "k" + 4 digits has no room for new codes: rare labels become frequent ones
        assert generator.synthesizer.transformer_.rare_values_ == {"code": "frequent"}
        assert synthetic["code"].isin(frequent).all()
        assert synthetic["code"].nunique() > 300  # the pooled labels come back, not just 48


@pytest.mark.parametrize("method", ["gaussian_copula", "cart"])
def test_identifiers_are_regenerated_unique_in_the_same_pattern(method):
    n = 500
    real = pd.DataFrame(
        {
            "customer_id": [f"CUST-{i:05d}" for i in range(n)],
            "row_id": np.arange(1000, 1000 + n),
            "amount": np.random.default_rng(0).gamma(2.0, 50.0, n).round(2),
        }
    )
    schema = infer_schema(real)
    assert schema["customer_id"].kind.value == "identifier"
    synthetic = SyntheticGenerator(method).fit(real, schema).generate(2000)
    ids = synthetic["customer_id"]
    assert ids.is_unique and ids.str.fullmatch(r"CUST-\d{5}").all()
    assert synthetic["row_id"].is_unique and synthetic["row_id"].dtype == np.int64
    assert synthetic["row_id"].min() >= 1000


NAMES_FIRST = [
    "Zorvath",
    "Quilla",
    "Brennock",
    "Ysolde",
    "Tarquil",
    "Mirabeth",
    "Ostrand",
    "Fenwyck",
]
NAMES_LAST = ["Quillibrand", "Vortexa", "Hollowmere", "Drakensby", "Pennyworth", "Ashgrove"]


@pytest.mark.parametrize("method", ["gaussian_copula", "cart"])
def test_pii_columns_are_replaced_by_fakes(method):
    rng = np.random.default_rng(2)
    n = 300
    first = np.array(NAMES_FIRST)[rng.integers(0, len(NAMES_FIRST), n)]
    last = np.array(NAMES_LAST)[rng.integers(0, len(NAMES_LAST), n)]
    real = pd.DataFrame(
        {
            "email": [
                f"{f.lower()}.{ln.lower()}{i}@realcorp.example"
                for i, (f, ln) in enumerate(zip(first, last, strict=True))
            ],
            "full_name": [f"{f} {ln}" for f, ln in zip(first, last, strict=True)],
            "age": rng.integers(18, 80, n),
        }
    )
    schema = infer_schema(real)
    assert schema["email"].pii and schema["full_name"].pii
    synthetic = SyntheticGenerator(method).fit(real, schema).generate(1000)
    assert not set(synthetic["email"]) & set(real["email"])
    assert not set(synthetic["full_name"]) & set(real["full_name"])
    assert synthetic["email"].str.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+").all()
    assert synthetic["email"].is_unique  # the real column was unique
    assert synthetic["full_name"].str.fullmatch(r"\S+ \S+( \S+)*").all()
    assert synthetic["full_name"].nunique() > 100
