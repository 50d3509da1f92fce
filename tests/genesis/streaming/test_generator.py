"""StreamingGenerator and BatchIterator: reproducible batches, exact row counts, metadata,
conditions, stats and bad parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genesis.errors import (
    InvalidConditionError,
    InvalidParameterError,
    NotFittedError,
)
from genesis.generators import SyntheticGenerator
from genesis.streaming import (
    BATCH_COLUMN,
    GENERATED_AT_COLUMN,
    METADATA_COLUMNS,
    SEQUENCE_COLUMN,
    BatchIterator,
    StreamingConfig,
    StreamingGenerator,
    StreamingStats,
)


@pytest.fixture(scope="module")
def adult_rows(adult_df: pd.DataFrame) -> pd.DataFrame:
    return adult_df.sample(2000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def copula(adult_rows: pd.DataFrame) -> SyntheticGenerator:
    return SyntheticGenerator("gaussian_copula", seed=3).fit(adult_rows)


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[GENERATED_AT_COLUMN], errors="ignore")


def test_stream_yields_max_batches_of_batch_size_with_metadata(copula):
    stream = StreamingGenerator.from_model(copula, StreamingConfig(batch_size=300, max_batches=4))
    batches = list(stream.generate_stream())
    assert [len(b) for b in batches] == [300] * 4
    whole = pd.concat(batches, ignore_index=True)
    assert list(whole.columns[-3:]) == list(METADATA_COLUMNS)
    assert whole[SEQUENCE_COLUMN].tolist() == list(range(1200))
    assert whole[BATCH_COLUMN].tolist() == list(np.repeat(np.arange(4), 300))
    assert str(whole[GENERATED_AT_COLUMN].dt.tz) == "UTC"
    assert stream.stats.total_samples == 1200 and stream.stats.total_batches == 4
    assert stream.stats.samples_per_second > 0 and stream.stats.end_time is not None


def test_any_batch_regenerates_alone_and_same_seed_same_stream(copula):
    config = StreamingConfig(batch_size=250, max_batches=3)
    first = list(StreamingGenerator.from_model(copula, config, seed=11).generate_stream())
    again = StreamingGenerator.from_model(copula, config, seed=11)
    pd.testing.assert_frame_equal(_rows(again.batch(2)), _rows(first[2]))
    other = StreamingGenerator.from_model(copula, config, seed=12).batch(2)
    assert not _rows(other).equals(_rows(first[2]))


def test_batches_are_the_chunks_of_generate_chunks(copula):
    stream = StreamingGenerator.from_model(
        copula, StreamingConfig(batch_size=400, include_metadata=False), seed=5
    )
    chunks = list(copula.generate_chunks(1000, chunk_rows=400, seed=5))
    for index, chunk in enumerate(chunks):
        pd.testing.assert_frame_equal(stream.batch(index, size=len(chunk)), chunk)


def test_generate_returns_the_first_rows_of_the_stream(copula):
    stream = StreamingGenerator.from_model(copula, StreamingConfig(batch_size=128), seed=2)
    rows = stream.generate(1000)
    assert len(rows) == 1000 and rows[SEQUENCE_COLUMN].is_unique
    pd.testing.assert_frame_equal(
        _rows(rows.iloc[128:256].reset_index(drop=True)), _rows(stream.batch(1))
    )
    assert stream.generate(0).empty


def test_batch_iterator_gives_exactly_total_samples(copula):
    stream = StreamingGenerator.from_model(copula, StreamingConfig(batch_size=1000), seed=1)
    iterator = BatchIterator(stream, total_samples=1050, batch_size=200)
    assert len(iterator) == 6
    sizes = [len(b) for b in iterator]
    assert sizes == [200] * 5 + [50] and stream.stats.total_samples == 1050
    # a plain fitted model works too (no metadata columns)
    plain = list(BatchIterator(copula, total_samples=7, batch_size=3))
    assert [len(b) for b in plain] == [3, 3, 1]
    assert not set(METADATA_COLUMNS) & set(plain[0].columns)
    assert len(BatchIterator(copula, total_samples=0)) == 0


def test_fit_and_conditions_pass_through(adult_rows):
    stream = StreamingGenerator(
        StreamingConfig(batch_size=200, max_batches=2), seed=0, conditions={"age": (">=", 60)}
    ).fit(adult_rows, method="cart")
    for batch in stream.generate_stream():
        assert len(batch) == 200 and (batch["age"] >= 60).all()


def test_bad_conditions_fail_before_the_stream_starts(copula):
    with pytest.raises(InvalidConditionError, match="no_such_column"):
        StreamingGenerator.from_model(copula, conditions={"no_such_column": 1})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"max_batches": -1}, "max_batches"),
        ({"delay_between_batches": -0.1}, "delay_between_batches"),
        ({"delay_between_batches": float("nan")}, "delay_between_batches"),
        ({"include_metadata": "yes"}, "include_metadata"),
    ],
)
def test_bad_config_names_the_parameter(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        StreamingConfig(**kwargs)


def test_unfitted_and_wrong_arguments_are_clear_errors(copula):
    with pytest.raises(NotFittedError, match="fit"):
        StreamingGenerator().batch(0)
    with pytest.raises(InvalidParameterError, match="StreamingConfig"):
        StreamingGenerator({"batch_size": 10})
    with pytest.raises(InvalidParameterError, match="generate"):
        StreamingGenerator.from_model(object())
    with pytest.raises(InvalidParameterError, match="total_samples"):
        BatchIterator(copula, total_samples=-1)


def test_stats_count_deliveries_and_rates():
    stats = StreamingStats()
    assert stats.elapsed_time == 0.0 and stats.samples_per_second == 0.0
    stats.start()
    stats.record_batch(10)
    stats.record_sent(10)
    stats.record_acknowledged(7)
    stats.record_failed(2)
    assert stats.pending == 1
    stats.finish()
    frozen = stats.elapsed_time
    assert stats.elapsed_time == frozen
    assert stats.to_dict()["acknowledged"] == 7 and stats.to_dict()["total_samples"] == 10
