"""The template every synthesizer follows: validate, transform, learn, generate, save, load.

:class:`BaseSynthesizer` does everything that is the same for every method: input validation,
schema inference, the shared :class:`~genesis.generators.transformer.TableTransformer`,
timing, seeding, turning synthetic model frames back into tables, and saving models. A
method implements only ``_fit(frame, transformer)`` and ``_generate(n, rng)`` on the model
frame.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from genesis.errors import (
    CopyRiskWarning,
    InvalidParameterError,
    ModelLoadError,
    NotFittedError,
    SchemaError,
    TooFewRowsError,
)
from genesis.generators.memory import check_generation_memory
from genesis.generators.persistence import (
    genesis_version,
    model_to_bytes,
    read_model,
    write_model,
)
from genesis.generators.seeding import chunk_seed
from genesis.generators.transformer import RARE_ROWS, TableTransformer
from genesis.schema.types import Schema
from genesis.validation import check_choice, check_int, check_seed
from genesis.validation import validate_frame as _validate_frame

#: fitting refuses tables with fewer rows: every method could only copy them
MIN_TRAINING_ROWS = 10
#: below this many rows, fitting warns (:class:`CopyRiskWarning`) when some rows are unique
SMALL_TABLE_ROWS = 100
#: rows of the pseudo-sample a differentially private model summarises as its drift baseline
DP_PROFILE_ROWS = 5_000
#: rows per chunk of :meth:`BaseSynthesizer.generate_chunks` when none is given
CHUNK_ROWS = 1_000_000

__all__ = [
    "CHUNK_ROWS",
    "MIN_TRAINING_ROWS",
    "RARE_ROWS",
    "SMALL_TABLE_ROWS",
    "BaseSynthesizer",
    "check_choice",
    "check_int",
    "check_seed",
    "genesis_version",
    "resolve_schema",
    "validate_frame",
]


def validate_frame(df: Any) -> pd.DataFrame:
    """Check that ``df`` is a table Genesis can learn from and return it
    (:func:`genesis.validation.validate_frame`)."""
    return _validate_frame(df)


def check_min_rows(df: pd.DataFrame, min_rows: int) -> None:
    """Refuse tables below ``min_rows`` rows; warn when a small table's rows are likely copied.

    Raises:
        TooFewRowsError: fewer than ``min_rows`` rows.
    """
    n = len(df)
    if n < min_rows:
        raise TooFewRowsError(
            f"the table has {n} row{'s' if n != 1 else ''}, fewer than the {min_rows} a model "
            f"needs: with so few rows every method can only reproduce them (a one-row table "
            f"gives n copies of that row), which would publish the real records; collect at "
            f"least {min_rows} rows, or lower min_rows only if the rows are not sensitive"
        )
    if n < SMALL_TABLE_ROWS:
        unique = int((~df.astype(str).duplicated(keep=False)).sum())
        if unique:
            warnings.warn(
                f"the table has only {n} rows ({unique} of them unique): many synthetic rows "
                "are likely to be exact copies of real ones; check the privacy audit before "
                "sharing, or train on more rows",
                CopyRiskWarning,
                stacklevel=_outside_genesis(),
            )


def resolve_schema(df: pd.DataFrame, schema: Schema | None) -> Schema:
    """The given schema after checking it matches ``df``, or one inferred from ``df``."""
    if schema is None:
        from genesis.schema import infer_schema

        return infer_schema(df)
    if not isinstance(schema, Schema):
        raise InvalidParameterError(
            f"schema must be a genesis.schema.Schema or None, got {type(schema).__name__}; "
            "build one with genesis.schema.infer_schema(df) or Schema.from_yaml(text)"
        )
    if schema.names != list(df.columns):
        missing = [c for c in schema.names if c not in df.columns]
        extra = [c for c in df.columns if c not in schema]
        detail = (
            f"missing from the table: {missing}; not in the schema: {extra}"
            if missing or extra
            else "the column order differs"
        )
        raise SchemaError(
            f"the schema does not match the table ({detail}); pass df[schema.names] or "
            "infer a schema from this table with genesis.schema.infer_schema(df)"
        )
    return schema


class BaseSynthesizer:
    """Base class of every Genesis synthesizer (template method, scikit-learn conventions).

    Subclasses store their keyword-only parameters in ``__init__`` under the same names and
    implement :meth:`_fit` and :meth:`_generate`. Parameters shared by every method:

    Args:
        max_categories: categorical columns with more labels keep the ``max_categories - 1``
            most frequent and draw the rest back from their frequencies.
        seed: seed of every random operation (any non-negative integer); the same seed gives
            the same model and rows.

    ``min_rows`` (attribute, default :data:`MIN_TRAINING_ROWS`): fitting refuses smaller
    tables; :class:`~genesis.generators.SyntheticGenerator` takes it as a parameter.

    ``rare_rows`` (attribute, default :data:`RARE_ROWS`; a parameter of
    :class:`~genesis.generators.SyntheticGenerator`): privacy of rare values. In a column with
    more than ``max_categories`` labels, and in free text, a value held by fewer training rows
    (a unique job title, a tail number seen once) would identify the people holding it, so it
    is never learned nor copied into synthetic rows: it comes back as a stand-in that is no
    real value, Faker values where the column's semantic type is known, new codes in the
    values' pattern, else the column's frequent values, in the same share of rows. Values
    held by ``rare_rows`` rows or more keep their real rates. ``transformer_.rare_values_``
    says how each column's rare values were replaced; the privacy audit reports it.

    After :meth:`fit`: ``schema_``, ``transformer_``, ``n_rows_``, ``fit_seconds_``,
    ``training_fingerprint_`` (a hash of the training table) and ``baseline_profile_``
    (a :class:`~genesis.drift.profile.BaselineProfile`: per-column summaries for drift
    detection, no rows).
    """

    #: the method's name in :data:`genesis.generators.METHODS`
    method: ClassVar[str] = ""
    #: fitting refuses tables with fewer rows (see :func:`check_min_rows`)
    min_rows: int = MIN_TRAINING_ROWS
    #: values held by fewer training rows are replaced, never copied (see above)
    rare_rows: int = RARE_ROWS

    def __init__(self, *, max_categories: int = 100, seed: int = 0) -> None:
        self.max_categories = max_categories
        self.seed = seed

    # -- scikit-learn style parameters ------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind is p.KEYWORD_ONLY
        ]

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters and their current values."""
        return {name: getattr(self, name) for name in self._param_names()}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def _validate_params(self) -> None:
        """Check the constructor parameters; subclasses extend it."""
        check_int("max_categories", self.max_categories, 2)
        check_seed(self.seed)
        check_int("min_rows", self.min_rows, 1)
        check_int("rare_rows", self.rare_rows, 1)

    # -- the template -----------------------------------------------------------------------
    def fit(self, df: pd.DataFrame, schema: Schema | None = None) -> BaseSynthesizer:
        """Learn the table ``df``.

        Args:
            df: the real table (at least ``min_rows`` rows, one column, unique string names).
            schema: its schema; inferred with :func:`genesis.schema.infer_schema` when None.

        Returns:
            self, fitted.

        Raises:
            TooFewRowsError: fewer than ``min_rows`` rows (a warning,
                :class:`~genesis.errors.CopyRiskWarning`, below 100 rows with unique rows).
        """
        self._validate_params()
        df = validate_frame(df)
        check_min_rows(df, int(self.min_rows))
        start = time.perf_counter()
        schema = resolve_schema(df, schema)
        transformer = TableTransformer(
            schema,
            max_categories=int(self.max_categories),
            rare_rows=int(self.rare_rows),
            seed=int(self.seed),
        )
        frame = transformer.fit_transform(df)
        if frame.shape[1]:
            self._fit(frame, transformer)
        self.schema_ = schema
        self.transformer_ = transformer
        self.n_rows_ = len(df)
        self.fit_seconds_ = time.perf_counter() - start
        self._record_baseline(df)
        return self

    def _record_baseline(self, df: pd.DataFrame) -> None:
        """Keep what drift detection compares new data with (saved with the model), no rows.

        ``training_fingerprint_``: :func:`genesis.io.fingerprint` of the training table;
        ``baseline_profile_``: its per-column summary (:class:`BaselineProfile`). A
        differentially private model summarises its own synthetic rows instead
        (post-processing: no privacy budget spent, nothing beyond what the model publishes).
        """
        from genesis.drift.profile import BaselineProfile
        from genesis.io import fingerprint

        self.training_fingerprint_ = fingerprint(df)
        if getattr(self, "epsilon", None) is not None:
            rows = self.generate(min(DP_PROFILE_ROWS, max(len(df), 1)))
            self.baseline_profile_ = BaselineProfile.fit(rows)
            self.baseline_profile_.n_rows = len(df)
        else:
            self.baseline_profile_ = BaselineProfile.fit(df)

    @property
    def baseline_sample_(self) -> pd.DataFrame:
        """The drift baseline as a table: a pseudo-sample of ``baseline_profile_`` (its
        columns drawn independently from their summaries; not training rows)."""
        profile = self.__dict__.get("baseline_profile_")
        if profile is None:
            raise NotFittedError(
                f"this {type(self).__name__} has no drift baseline; call fit(df) first"
            )
        return profile.sample(seed=check_seed(self.seed))

    def generate(self, n: int, seed: int | None = None, conditions: Any = None) -> pd.DataFrame:
        """Generate ``n`` synthetic rows in the source table's exact format.

        Args:
            n: number of rows (an integer >= 0).
            seed: seed of this draw; None uses the constructor's ``seed``, so repeated calls
                without a seed return the same rows.
            conditions: rows to generate only: a ``Condition``, a ``ConditionSet`` or the
                dict format (``{"age": (">=", 50), "sex": "Female"}``) of
                :mod:`genesis.generators.conditional`. Exactly ``n`` rows come back, every
                one satisfying them; ``cart`` and ``gaussian_copula`` condition inside the
                model, ``ctgan`` steers its generator with its conditional vector on the most
                selective discrete condition, and the rest (``tvae``, other conditions) is
                guided sampling (bounded; see :mod:`genesis.generators.conditioning`).

        Raises:
            MemoryBudgetError: ``n`` rows would not fit in the memory available; the message
                gives the estimate and the chunked alternative (:meth:`generate_chunks`,
                :meth:`generate_to`).
            InvalidConditionError: a condition is not valid for the table's schema.
            InfeasibleConditionError: the conditions cannot be met (probability zero under
                the model, or beyond the bounded search); it carries the estimated
                ``probability`` and the nearest feasible ``alternative``.
        """
        self._check_fitted()
        n = _check_rows(n)
        seed = check_seed(self.seed if seed is None else seed)
        transformer = self.transformer_
        if conditions is not None:
            from genesis.generators.conditioning import generate_conditioned, prepare_conditions

            condition_set = prepare_conditions(self, conditions)
            if condition_set is not None:
                return generate_conditioned(self, n, seed, condition_set)
        check_generation_memory(n, transformer)
        model_seed, output_seed = np.random.SeedSequence(seed).spawn(2)
        if n == 0 or not transformer.model_columns_:
            frame = pd.DataFrame(
                {
                    c: np.zeros(
                        n, dtype=np.int64 if c in transformer.discrete_columns_ else np.float64
                    )
                    for c in transformer.model_columns_
                },
                index=pd.RangeIndex(n),
            )
        else:
            frame = self._generate(n, np.random.default_rng(model_seed))
        return transformer.inverse_transform(frame, np.random.default_rng(output_seed), n=n)

    def generate_chunks(
        self,
        n: int,
        chunk_rows: int = CHUNK_ROWS,
        seed: int | None = None,
        conditions: Any = None,
    ) -> Iterator[pd.DataFrame]:
        """``n`` synthetic rows as consecutive tables of at most ``chunk_rows`` rows each.

        For tables larger than memory; chunk ``i`` is drawn with a seed derived from
        ``seed`` and ``i`` (same arguments, same chunks). ``conditions``: as in
        :meth:`generate`, for every chunk.
        """
        self._check_fitted()
        n = _check_rows(n)
        check_int("chunk_rows", chunk_rows, 1)
        seed = check_seed(self.seed if seed is None else seed)
        for index, start in enumerate(range(0, n, int(chunk_rows))):
            size = min(int(chunk_rows), n - start)
            yield self.generate(size, seed=chunk_seed(seed, index), conditions=conditions)

    def generate_to(
        self,
        destination: str | os.PathLike[str],
        n_rows: int,
        chunk_rows: int = CHUNK_ROWS,
        seed: int | None = None,
        conditions: Any = None,
        format: str = "parquet",
        **options: Any,
    ) -> Any:
        """Write ``n_rows`` synthetic rows to ``destination`` chunk by chunk, so the whole
        table never sits in memory. ``conditions``: as in :meth:`generate`; ``seed`` None:
        the constructor's.

        * ``destination`` ending in ``.parquet``: one Parquet file, written atomically (mode
          0644: a synthetic table is for sharing); returns its path.
        * otherwise a local folder or ``s3://`` prefix (one Parquet file per chunk and a
          manifest, each written whole), or with ``format="iceberg"`` an Iceberg table: see
          :func:`genesis.generators.chunked.generate_to`, which takes the keyword
          ``options`` (``executor``, ``storage_options``, ``progress``, ``overwrite`` ...)
          and returns a :class:`~genesis.generators.chunked.ChunkedOutput`.

        Chunk ``i`` is drawn with ``chunk_seed(seed, i)`` either way, so the single file
        holds the same rows as the chunk files. Columns get the types the source had
        (:func:`genesis.schema.restore_types`).
        """
        if format == "parquet" and os.fspath(destination).lower().endswith(".parquet"):
            if options:
                raise InvalidParameterError(
                    f"{sorted(options)} apply to a folder of chunk files; give a folder (no "
                    ".parquet ending) as the destination, or drop them"
                )
            return self._write_single_parquet(destination, n_rows, chunk_rows, seed, conditions)
        from genesis.generators.chunked import generate_to

        self._check_fitted()
        return generate_to(
            self, destination, n_rows, chunk_rows, check_seed(self.seed if seed is None else seed),
            conditions, format, **options,
        )  # fmt: skip

    def _write_single_parquet(
        self,
        path: str | os.PathLike[str],
        n: int,
        chunk_rows: int,
        seed: int | None,
        conditions: Any,
    ) -> str:
        import tempfile
        from pathlib import Path

        import pyarrow as pa
        import pyarrow.parquet as pq

        from genesis.io.write import parquet_ready
        from genesis.schema.logical import restore_types

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        os.close(handle)
        writer = None
        try:
            for chunk in self.generate_chunks(n, chunk_rows, seed, conditions):
                chunk = parquet_ready(restore_types(chunk, self.schema_))
                table = pa.Table.from_pandas(chunk, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(temporary, table.schema)
                writer.write_table(table.cast(writer.schema))
            if writer is None:  # n == 0: an empty table with the right columns
                table = pa.Table.from_pandas(self.generate(0), preserve_index=False)
                pq.write_table(table, temporary)
            else:
                writer.close()
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            if writer is not None:
                writer.close()
            Path(temporary).unlink(missing_ok=True)
            raise
        return str(target)

    def _fit(self, frame: pd.DataFrame, transformer: TableTransformer) -> None:
        """Learn the model frame (continuous floats, discrete integer codes)."""
        raise NotImplementedError

    def _generate(self, n: int, rng: np.random.Generator) -> pd.DataFrame | dict[str, np.ndarray]:
        """``n`` synthetic model-frame rows with the columns ``transformer_.model_columns_``
        (a DataFrame, or a dict of arrays, which spares a copy for large ``n``)."""
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "transformer_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(df) before generate() or save()"
            )

    # -- persistence ------------------------------------------------------------------------
    def _before_save(self) -> None:
        """Hook: put the model in a portable state (e.g. move torch weights to the CPU)."""

    def to_bytes(self) -> bytes:
        """The fitted model as the bytes of a model file (for artifact stores and registries:
        no temporary folder needed); :meth:`from_bytes` reads them back."""
        self._check_fitted()
        self._before_save()
        return model_to_bytes(self, self.method)

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the fitted model to ``path`` atomically and owner-only (0600); returns the path.

        The file starts with a small JSON header (Genesis version, method, class) followed by
        the pickled model. It holds no training row, but per-column values of the training
        table (CART leaves draw real values): keep it as private as the data.
        """
        return write_model(path, self.to_bytes())

    @staticmethod
    def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
        """The JSON header of a saved model file (version, method, class) without loading it."""
        header, _ = read_model(path, payload=False)
        return header

    @classmethod
    def load(cls, path: str | os.PathLike[str] | bytes) -> BaseSynthesizer:
        """Load a model written by :meth:`save` (a path) or :meth:`to_bytes` (bytes).

        Raises:
            ModelLoadError: the file is missing, is not a Genesis model, is corrupt, or holds
                a model of another class than the one ``load`` was called on.
        """
        header, model = read_model(path)
        if not isinstance(model, cls):
            where = "the model bytes" if isinstance(path, bytes | bytearray) else repr(str(path))
            raise ModelLoadError(
                f"{where} holds a {type(model).__name__} ({header.get('method')!r} method), not a "
                f"{cls.__name__}; load it with genesis.generators.SyntheticGenerator.load(path)"
            )
        return model

    @classmethod
    def from_bytes(cls, data: bytes) -> BaseSynthesizer:
        """A model from the bytes :meth:`to_bytes` returned (same checks as :meth:`load`)."""
        return cls.load(data)


def _outside_genesis() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside Genesis."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("genesis."):
        frame, level = frame.f_back, level + 1
    return level


def _check_rows(n: Any) -> int:
    if not isinstance(n, int | np.integer) or isinstance(n, bool | np.bool_):
        raise InvalidParameterError(
            f"n must be an integer number of rows, got {n!r}; pass e.g. n=1000"
        )
    if n < 0:
        raise InvalidParameterError(f"n must be >= 0, got {n}; pass the number of rows to generate")
    return int(n)
