"""Batches of synthetic rows from a fitted model: reproducible, bounded in memory, endless on
request.

Batch ``i`` of a stream seeded ``seed`` is drawn with :func:`~genesis.generators.seeding.chunk_seed`
``(seed, i)``: the same seed gives the same stream, any batch can be regenerated on its own
(:meth:`StreamingGenerator.batch`), and with ``batch_size == chunk_rows`` the batches are the
chunks of ``generate_chunks``. Only one batch is in memory at a time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError, NotFittedError
from genesis.generators.seeding import chunk_seed
from genesis.streaming.config import StreamingConfig, StreamingStats
from genesis.validation import check_seed, require_int

#: metadata columns added to every batch when ``include_metadata`` is on
BATCH_COLUMN = "_genesis_batch"
SEQUENCE_COLUMN = "_genesis_sequence"
GENERATED_AT_COLUMN = "_genesis_generated_at"
METADATA_COLUMNS = (BATCH_COLUMN, SEQUENCE_COLUMN, GENERATED_AT_COLUMN)


class StreamingGenerator:
    """Memory-efficient batch generation from a fitted Genesis model.

    Args:
        config: batch size, batch limit, delay and metadata (a :class:`StreamingConfig`;
            default ``StreamingConfig()``).
        seed: seed of the stream (batch ``i`` uses a seed derived from ``(seed, i)``).
        conditions: generate only rows meeting these (a ``Condition``, ``ConditionSet`` or
            the dict format of :mod:`genesis.generators.conditional`); every batch has exactly
            its rows, all satisfying.

    Either :meth:`fit` a table, or wrap a fitted model with :meth:`from_model`.

    Example:
        >>> stream = StreamingGenerator(StreamingConfig(batch_size=500, max_batches=4))
        >>> stream.fit(df, method="gaussian_copula")          # doctest: +SKIP
        >>> for batch in stream.generate_stream(): ...        # doctest: +SKIP
    """

    def __init__(
        self, config: StreamingConfig | None = None, *, seed: int = 0, conditions: Any = None
    ) -> None:
        if config is not None and not isinstance(config, StreamingConfig):
            raise InvalidParameterError(
                f"config must be a StreamingConfig, got {type(config).__name__}; pass "
                "StreamingConfig(batch_size=..., ...)"
            )
        self.config = config or StreamingConfig()
        self.seed = check_seed(seed)
        self.conditions = conditions
        self.model: Any = None
        self._stats = StreamingStats()

    @classmethod
    def from_model(
        cls,
        model: Any,
        config: StreamingConfig | None = None,
        *,
        seed: int | None = None,
        conditions: Any = None,
    ) -> StreamingGenerator:
        """Stream from an already fitted model (a ``SyntheticGenerator``, any synthesizer,
        ``AutoMLSynthesizer`` or ``DriftAwareGenerator``); ``seed`` None takes the model's."""
        if not callable(getattr(model, "generate", None)):
            raise InvalidParameterError(
                f"model must be a fitted Genesis model with generate(n, seed, conditions), got "
                f"{type(model).__name__}"
            )
        if seed is None:
            seed = getattr(model, "seed", 0) or 0
        stream = cls(config, seed=seed, conditions=conditions)
        stream.model = model
        stream._check_conditions()
        return stream

    def fit(self, data: pd.DataFrame, method: str = "gaussian_copula", **kwargs: Any):
        """Learn ``data`` with ``method`` (any :class:`~genesis.generators.SyntheticGenerator`
        method, ``"auto"`` included; ``kwargs`` are its parameters); returns self."""
        from genesis.generators import SyntheticGenerator

        kwargs.setdefault("seed", self.seed)
        self.model = SyntheticGenerator(method, **kwargs).fit(data)
        self._check_conditions()
        return self

    @property
    def stats(self) -> StreamingStats:
        """Counters of what this generator has streamed."""
        return self._stats

    @property
    def schema(self) -> Any:
        """The fitted model's schema (column names, kinds, categories)."""
        return getattr(self._fitted_model(), "schema_", None)

    def batch(self, index: int, size: int | None = None) -> pd.DataFrame:
        """Batch ``index`` of the stream (``size`` rows, default ``config.batch_size``), the
        same rows whenever and wherever it is drawn; the stats are not touched."""
        model = self._fitted_model()
        index = require_int(index, "index", 0)
        size = self.config.batch_size if size is None else require_int(size, "size", 0)
        frame = model.generate(size, seed=chunk_seed(self.seed, index), conditions=self.conditions)
        if self.config.include_metadata:
            first = index * self.config.batch_size
            frame = frame.assign(
                **{
                    BATCH_COLUMN: np.full(len(frame), index, dtype=np.int64),
                    SEQUENCE_COLUMN: np.arange(first, first + len(frame), dtype=np.int64),
                    GENERATED_AT_COLUMN: pd.Timestamp.now(tz="UTC"),
                }
            )
        return frame

    def generate(self, n_samples: int) -> pd.DataFrame:
        """The first ``n_samples`` rows of the stream, as one table."""
        n_samples = require_int(n_samples, "n_samples", 0)
        frames = list(BatchIterator(self, n_samples, self.config.batch_size))
        if not frames:
            return self.batch(0, size=0)
        return pd.concat(frames, ignore_index=True)

    def generate_stream(self) -> Iterator[pd.DataFrame]:
        """Batches until ``config.max_batches`` (forever when None), one in memory at a time,
        waiting ``config.delay_between_batches`` after each."""
        self._fitted_model()
        self._stats.start()
        index = 0
        try:
            while self.config.max_batches is None or index < self.config.max_batches:
                frame = self.batch(index)
                self._stats.record_batch(len(frame))
                yield frame
                index += 1
                if self.config.delay_between_batches:
                    time.sleep(self.config.delay_between_batches)
        finally:
            self._stats.finish()

    def _fitted_model(self) -> Any:
        if self.model is None:
            raise NotFittedError(
                "this StreamingGenerator has no model yet; call fit(data) or build it with "
                "StreamingGenerator.from_model(fitted_model)"
            )
        return self.model

    def _check_conditions(self) -> None:
        # a bad condition fails now, not in the middle of a stream
        if self.conditions is not None:
            self.model.generate(0, seed=self.seed, conditions=self.conditions)


class BatchIterator:
    """Exactly ``total_samples`` rows of ``generator`` in batches of ``batch_size`` (the last
    one shorter).

    ``generator`` is a :class:`StreamingGenerator` (its batches, metadata and stats) or any
    fitted Genesis model (then batch ``i`` is drawn with the seed derived from the model's
    seed and ``i``). ``len()`` is the number of batches.
    """

    def __init__(self, generator: Any, total_samples: int, batch_size: int = 1000) -> None:
        self.total_samples = require_int(total_samples, "total_samples", 0)
        self.batch_size = require_int(batch_size, "batch_size", 1)
        if isinstance(generator, StreamingGenerator):
            stream = generator
            if stream.config.batch_size != self.batch_size:
                # the same model and seed; batch numbers and sequence follow this batch size
                config = StreamingConfig(
                    batch_size=self.batch_size, include_metadata=stream.config.include_metadata
                )
                stream = StreamingGenerator.from_model(
                    stream._fitted_model(), config, seed=stream.seed, conditions=stream.conditions
                )
                stream._stats = generator.stats
        else:
            stream = StreamingGenerator.from_model(
                generator, StreamingConfig(batch_size=self.batch_size, include_metadata=False)
            )
        self.stream = stream

    def __len__(self) -> int:
        return math.ceil(self.total_samples / self.batch_size)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        stats = self.stream.stats
        stats.start()
        try:
            for index in range(len(self)):
                size = min(self.batch_size, self.total_samples - index * self.batch_size)
                frame = self.stream.batch(index, size)
                stats.record_batch(len(frame))
                yield frame
        finally:
            stats.finish()


__all__ = [
    "BATCH_COLUMN",
    "GENERATED_AT_COLUMN",
    "METADATA_COLUMNS",
    "SEQUENCE_COLUMN",
    "BatchIterator",
    "StreamingGenerator",
]
