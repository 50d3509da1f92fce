"""Synthesizers: learn a table, generate a synthetic twin in its exact format.

``SyntheticGenerator(method="cart").fit(df).generate(10_000)`` is the one-line entry point;
the synthesizer classes behind it share :class:`~genesis.generators.base.BaseSynthesizer`
and the reversible :class:`~genesis.generators.transformer.TableTransformer`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pandas as pd

from genesis.errors import InvalidParameterError, ModelLoadError, NotFittedError
from genesis.generators.base import MIN_TRAINING_ROWS, RARE_ROWS, BaseSynthesizer, check_int
from genesis.generators.cart import CARTSynthesizer
from genesis.generators.gaussian_copula import GaussianCopulaSynthesizer
from genesis.generators.methods import (
    ALL_METHODS,
    METHODS,
    GenerationMethod,
    get_synthesizer_class,
    parse_method,
)
from genesis.generators.neural import CTGANSynthesizer, TVAESynthesizer
from genesis.generators.transformer import TableTransformer
from genesis.schema.types import Schema


class SyntheticGenerator:
    """Facade over the synthesizers: pick a method by name, then fit, generate, save, load.

    Args:
        method: a :class:`GenerationMethod` or its name, one of :data:`METHODS` (default
            ``"cart"``), or ``"auto"`` to let
            :class:`~genesis.automl.AutoMLSynthesizer` measure them and keep the best
            (its parameters: ``time_budget``, ``scoring``, ``methods`` ...).
        seed: seed of every random operation (any non-negative integer); same seed, same
            model and rows.
        min_rows: fitting refuses tables with fewer rows (default
            :data:`~genesis.generators.base.MIN_TRAINING_ROWS`): with a handful of rows every
            method can only copy them.
        rare_rows: values held by fewer training rows, in columns with more than
            ``max_categories`` labels and in free text, are replaced by stand-ins that are no
            real value instead of being copied (default
            :data:`~genesis.generators.base.RARE_ROWS`; 1 turns this off; see
            :class:`~genesis.generators.base.BaseSynthesizer`).
        **method_params: the chosen synthesizer's parameters (e.g. ``epochs=300`` for
            ``"ctgan"``, ``min_samples_leaf=20`` for ``"cart"``).

    Attributes after :meth:`fit`: ``schema_``, ``fit_seconds_``, ``synthesizer`` (the
    underlying synthesizer) and every fitted attribute of it (``epoch_seconds_`` ...).
    """

    def __init__(
        self,
        method: str | GenerationMethod = "cart",
        *,
        seed: int = 0,
        min_rows: int = MIN_TRAINING_ROWS,
        rare_rows: int = RARE_ROWS,
        **method_params: Any,
    ) -> None:
        method = parse_method(method).value
        check_int("min_rows", min_rows, 1)
        check_int("rare_rows", rare_rows, 1)
        cls = get_synthesizer_class(method)
        accepted = cls._param_names()
        unknown = sorted(set(method_params) - set(accepted))
        if unknown:
            raise InvalidParameterError(
                f"method {method!r} does not take parameter(s) {unknown}; its parameters are {accepted}"
            )
        self.method = method
        self.seed = seed
        self.method_params = dict(method_params)
        self.synthesizer: BaseSynthesizer = cls(seed=seed, **method_params)
        self.synthesizer.min_rows = int(min_rows)
        self.synthesizer.rare_rows = int(rare_rows)

    @property
    def min_rows(self) -> int:
        """Fitting refuses tables with fewer rows."""
        return int(self.synthesizer.min_rows)

    @property
    def rare_rows(self) -> int:
        """Values held by fewer training rows are replaced, never copied."""
        return int(self.synthesizer.rare_rows)

    def fit(self, df: pd.DataFrame, schema: Schema | None = None) -> SyntheticGenerator:
        """Learn ``df`` (schema inferred when not given); returns self."""
        self.synthesizer.fit(df, schema)
        return self

    def generate(self, n: int, seed: int | None = None, conditions: Any = None) -> pd.DataFrame:
        """``n`` synthetic rows in the source's exact format (``seed`` None: the constructor's).

        ``conditions`` (a ``Condition``, a ``ConditionSet`` or the dict format of
        :mod:`genesis.generators.conditional`): exactly ``n`` rows, every one satisfying
        them, or :class:`~genesis.errors.InfeasibleConditionError` (see
        :meth:`BaseSynthesizer.generate`).
        """
        return self.synthesizer.generate(n, seed=seed, conditions=conditions)

    def generate_chunks(
        self,
        n: int,
        chunk_rows: int = 1_000_000,
        seed: int | None = None,
        conditions: Any = None,
    ) -> Iterator[pd.DataFrame]:
        """``n`` rows as consecutive tables of at most ``chunk_rows`` rows (larger than memory)."""
        return self.synthesizer.generate_chunks(n, chunk_rows, seed, conditions)

    def generate_to(
        self,
        destination: str | os.PathLike[str],
        n_rows: int,
        chunk_rows: int = 1_000_000,
        seed: int | None = None,
        conditions: Any = None,
        format: str = "parquet",
        **options: Any,
    ) -> Any:
        """Write ``n_rows`` rows chunk by chunk: to one file when ``destination`` ends in
        ``.parquet`` (returns the path), else to a folder, ``s3://`` prefix or Iceberg table
        of chunk files (returns a :class:`~genesis.generators.chunked.ChunkedOutput`; see
        :func:`genesis.generators.chunked.generate_to` for ``options`` such as ``executor``
        and ``storage_options``)."""
        return self.synthesizer.generate_to(
            destination, n_rows, chunk_rows, seed, conditions, format, **options
        )

    def save(self, path: str | os.PathLike[str]) -> str:
        """Save the fitted model atomically, owner-only (0600); returns the path written."""
        return self.synthesizer.save(path)

    def to_bytes(self) -> bytes:
        """The fitted model as model-file bytes (see :meth:`BaseSynthesizer.to_bytes`)."""
        return self.synthesizer.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> SyntheticGenerator:
        """A generator from :meth:`to_bytes` output (no temporary file needed)."""
        return cls.load(data)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | bytes) -> SyntheticGenerator:
        """Load a model saved by :meth:`save` (or by any synthesizer's ``save``), or its bytes."""
        synthesizer = BaseSynthesizer.load(path)
        if synthesizer.method not in ALL_METHODS:
            raise ModelLoadError(
                f"the model holds an unknown method {synthesizer.method!r}; refit it with this "
                "version of Genesis"
            )
        generator = cls.__new__(cls)
        generator.method = synthesizer.method
        generator.seed = synthesizer.seed
        params = synthesizer.get_params()
        params.pop("seed", None)
        generator.method_params = params
        generator.synthesizer = synthesizer
        return generator

    def get_params(self) -> dict[str, Any]:
        """``method``, ``seed`` and the synthesizer's parameters."""
        return {"method": self.method, **self.synthesizer.get_params()}

    def __getattr__(self, name: str) -> Any:
        # fitted attributes (schema_, fit_seconds_, epoch_seconds_ ...) live on the synthesizer
        if name.endswith("_") and not name.startswith("__") and "synthesizer" in self.__dict__:
            try:
                return getattr(self.__dict__["synthesizer"], name)
            except AttributeError:
                if not hasattr(self.__dict__["synthesizer"], "transformer_"):
                    raise NotFittedError(
                        f"{name} is set by fit(); call fit(df) on this SyntheticGenerator first"
                    ) from None
                raise
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.method_params.items())
        return f"SyntheticGenerator(method={self.method!r}, seed={self.seed!r}{params})"


__all__ = [
    "ALL_METHODS",
    "METHODS",
    "BaseSynthesizer",
    "GenerationMethod",
    "CARTSynthesizer",
    "CTGANSynthesizer",
    "GaussianCopulaSynthesizer",
    "SyntheticGenerator",
    "TVAESynthesizer",
    "TableTransformer",
    "get_synthesizer_class",
]
