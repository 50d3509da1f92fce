"""The template every synthesizer follows: validate, transform, learn, generate, save, load.

:class:`BaseSynthesizer` does everything that is the same for every method: input validation,
schema inference, the shared :class:`~genesis.generators.transformer.TableTransformer`,
timing, seeding, turning synthetic model frames back into tables, and saving models. A
method implements only ``_fit(frame, transformer)`` and ``_generate(n, rng)`` on the model
frame.
"""

from __future__ import annotations

import inspect
import json
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from genesis.errors import (
    DataWriteError,
    InvalidDataError,
    InvalidParameterError,
    ModelLoadError,
    NotFittedError,
    SchemaError,
)
from genesis.generators.transformer import TableTransformer
from genesis.schema.types import Schema

_MAGIC = b"GENESIS-MODEL\n"
_FILE_FORMAT = 1
#: rows of the training table a fitted model keeps as its drift baseline
BASELINE_SAMPLE_ROWS = 5_000


def genesis_version() -> str:
    """The installed Genesis version (``"unknown"`` when running from a bare checkout)."""
    import genesis

    version = getattr(genesis, "__version__", None)
    if version:
        return str(version)
    try:
        from importlib.metadata import version as dist_version

        return dist_version("genesis-synth")
    except Exception:
        return "unknown"


# --- parameter checks shared by the synthesizers ------------------------------------------------


def check_int(
    name: str, value: Any, minimum: int | None = None, *, allow_none: bool = False
) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is an integer >= ``minimum``."""
    if value is None and allow_none:
        return
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        hint = " or None" if allow_none else ""
        raise InvalidParameterError(
            f"{name} must be an integer{hint}, got {value!r}; pass e.g. {name}={max(minimum or 0, 1)}"
        )
    if minimum is not None and value < minimum:
        raise InvalidParameterError(
            f"{name} must be >= {minimum}, got {value}; pass a value of at least {minimum}"
        )


def check_choice(name: str, value: Any, choices: tuple[Any, ...]) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise InvalidParameterError(f"{name} must be one of {list(choices)}, got {value!r}")


def check_seed(seed: Any, name: str = "seed") -> int:
    """A valid seed as an ``int``: a non-negative integer."""
    check_int(name, seed, 0)
    return int(seed)


# --- input validation -------------------------------------------------------------------------


def validate_frame(df: Any) -> pd.DataFrame:
    """Check that ``df`` is a table Genesis can learn from and return it."""
    if not isinstance(df, pd.DataFrame):
        raise InvalidDataError(
            f"expected a pandas DataFrame, got {type(df).__name__}; read your data with "
            "genesis.read_table(...) or wrap it with pd.DataFrame(...)"
        )
    if df.shape[1] == 0:
        raise InvalidDataError(
            "the DataFrame has no columns; pass a table with at least one column"
        )
    if df.shape[0] == 0:
        raise InvalidDataError(
            "the DataFrame has no rows; pass a table with at least one row to learn from"
        )
    bad = [c for c in df.columns if not isinstance(c, str)]
    if bad:
        raise InvalidDataError(
            f"column names must be strings, got {bad[:5]}; rename them, e.g. "
            "df.columns = [str(c) for c in df.columns]"
        )
    if df.columns.has_duplicates:
        dupes = sorted(set(df.columns[df.columns.duplicated()]))
        raise InvalidDataError(f"duplicate column names {dupes}; give every column a distinct name")
    return df


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
        seed: seed of every random operation; the same seed gives the same model and rows.

    After :meth:`fit`: ``schema_``, ``transformer_``, ``n_rows_``, ``fit_seconds_``.
    """

    #: the method's name in :data:`genesis.generators.METHODS`
    method: ClassVar[str] = ""

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

    # -- the template -----------------------------------------------------------------------
    def fit(self, df: pd.DataFrame, schema: Schema | None = None) -> BaseSynthesizer:
        """Learn the table ``df``.

        Args:
            df: the real table (at least one row and one column, unique string names).
            schema: its schema; inferred with :func:`genesis.schema.infer_schema` when None.

        Returns:
            self, fitted.
        """
        self._validate_params()
        df = validate_frame(df)
        start = time.perf_counter()
        schema = resolve_schema(df, schema)
        transformer = TableTransformer(
            schema, max_categories=int(self.max_categories), seed=int(self.seed)
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
        """Keep what drift detection compares new data with (saved with the model).

        ``training_fingerprint_``: :func:`genesis.io.fingerprint` of the training table;
        ``baseline_sample_``: up to :data:`BASELINE_SAMPLE_ROWS` of its rows, drawn with
        ``seed`` and kept in their original order.
        """
        from genesis.io import fingerprint

        self.training_fingerprint_ = fingerprint(df)
        if len(df) > BASELINE_SAMPLE_ROWS:
            rows = np.random.default_rng(int(self.seed)).choice(
                len(df), BASELINE_SAMPLE_ROWS, replace=False
            )
            df = df.iloc[np.sort(rows)]
        self.baseline_sample_ = df.reset_index(drop=True).copy()

    def generate(self, n: int, seed: int | None = None) -> pd.DataFrame:
        """Generate ``n`` synthetic rows in the source table's exact format.

        Args:
            n: number of rows (an integer >= 0).
            seed: seed of this draw; None uses the constructor's ``seed``, so repeated calls
                without a seed return the same rows.
        """
        self._check_fitted()
        if not isinstance(n, (int, np.integer)) or isinstance(n, (bool, np.bool_)):
            raise InvalidParameterError(
                f"n must be an integer number of rows, got {n!r}; pass e.g. n=1000"
            )
        if n < 0:
            raise InvalidParameterError(
                f"n must be >= 0, got {n}; pass the number of rows to generate"
            )
        n = int(n)
        seed = check_seed(self.seed if seed is None else seed)
        model_seed, output_seed = np.random.SeedSequence(seed).spawn(2)
        transformer = self.transformer_
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

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the fitted model to ``path`` atomically (temporary file, then rename).

        The file starts with a small JSON header (Genesis version, method, class) followed by
        the pickled model. Returns the path written.
        """
        self._check_fitted()
        self._before_save()
        path = Path(path)
        header = {
            "format": _FILE_FORMAT,
            "genesis_version": genesis_version(),
            "method": self.method,
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(_MAGIC)
                    fh.write(json.dumps(header).encode() + b"\n")
                    pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise DataWriteError(
                f"could not save the model to {str(path)!r}: {exc}; check the folder exists and is writable"
            ) from exc
        return str(path)

    @staticmethod
    def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
        """The JSON header of a saved model file (version, method, class) without loading it."""
        header, _ = _read_model_file(path, payload=False)
        return header

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BaseSynthesizer:
        """Load a model written by :meth:`save`.

        Raises:
            ModelLoadError: the file is missing, is not a Genesis model, is corrupt, or holds
                a model of another class than the one ``load`` was called on.
        """
        header, model = _read_model_file(path, payload=True)
        if not isinstance(model, cls):
            raise ModelLoadError(
                f"{str(path)!r} holds a {type(model).__name__} ({header.get('method')!r} method), not a "
                f"{cls.__name__}; load it with genesis.generators.SyntheticGenerator.load(path)"
            )
        return model


def _read_model_file(path: str | os.PathLike[str], *, payload: bool) -> tuple[dict[str, Any], Any]:
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(
            f"no model file at {str(path)!r}; check the path, or fit and save(path) a model first"
        )
    try:
        with path.open("rb") as fh:
            if fh.read(len(_MAGIC)) != _MAGIC:
                raise ModelLoadError(
                    f"{str(path)!r} is not a Genesis model file; pass a file written by save(path)"
                )
            try:
                header = json.loads(fh.readline())
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise ModelLoadError(
                    f"{str(path)!r} has a corrupt header; save the model again"
                ) from None
            if not isinstance(header, dict) or header.get("format") != _FILE_FORMAT:
                raise ModelLoadError(
                    f"{str(path)!r} uses model file format {header.get('format') if isinstance(header, dict) else '?'}, "
                    f"this Genesis reads format {_FILE_FORMAT}; save the model again with this version"
                )
            if not payload:
                return header, None
            try:
                model = pickle.load(fh)
            except Exception as exc:
                raise ModelLoadError(
                    f"{str(path)!r} is corrupt or was written by an incompatible version "
                    f"(Genesis {header.get('genesis_version')}): {type(exc).__name__}: {exc}; "
                    "refit the model and save it again"
                ) from None
    except OSError as exc:
        raise ModelLoadError(
            f"could not read {str(path)!r}: {exc}; check the file's permissions"
        ) from exc
    return header, model
