"""Column handlers: how one source column enters the model frame and comes back.

This module holds the base handler and the simple kinds (constants, labels, identifiers,
fakes); numbers and datetimes have modules of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError
from genesis.generators import fakes
from genesis.generators.encoding import (
    OTHER_LABEL,
    _cast,
    _factorize,
    _first_rows,
    _is_numpy_integer,
    _missing_mask,
    _value_keys,
)
from genesis.schema.types import ColumnSchema


class _ColumnHandler:
    """One source column: how it enters the model frame and how it comes back."""

    #: model columns produced, in order, and their roles
    model_columns: list[str]
    roles: dict[str, str]  # "continuous", "integer", "discrete", "indicator"
    n_codes: dict[str, int]

    def __init__(self, column: ColumnSchema, dtype: Any) -> None:
        self.name = column.name
        self.schema = column
        self.dtype = dtype
        self.model_columns = []
        self.roles = {}
        self.n_codes = {}

    def fit(self, s: pd.Series, rng: np.random.Generator) -> None:
        raise NotImplementedError

    def transform(self, s: pd.Series, rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {}

    def inverse(
        self, frame: Mapping[str, np.ndarray], n: int, rng: np.random.Generator
    ) -> pd.Series:
        raise NotImplementedError


class _ConstantHandler(_ColumnHandler):
    """A column with a single value (or only missing values): written back as it was."""

    def fit(self, s, rng):
        self.value = _first_rows(s, np.array([0]))

    def inverse(self, frame, n, rng):
        return self.value.iloc[np.zeros(n, dtype=np.int64)].reset_index(drop=True)


class _DiscreteHandler(_ColumnHandler):
    """Categorical and boolean columns: integer codes, most frequent label first.

    Missing values (NaN, tokens such as ``"?"``) are labels of their own. Beyond
    ``max_categories`` labels the rarest share one ``__other__`` code, and the inverse draws
    them back from their empirical frequencies.
    """

    def __init__(self, column, dtype, max_categories: int) -> None:
        super().__init__(column, dtype)
        self.max_categories = max_categories

    def fit(self, s, rng):
        _, first, counts = _factorize(s)
        self.labels = _first_rows(s, first)  # every label, in the source dtype
        n_labels = first.size
        if n_labels > self.max_categories:
            self.n_kept = self.max_categories - 1
            rare = counts[self.n_kept :].astype(np.float64)
            self.rare_p = rare / rare.sum()
            self.code_labels = [*self._label_names(self.n_kept), OTHER_LABEL]
        else:
            self.n_kept = n_labels
            self.rare_p = None
            self.code_labels = self._label_names(n_labels)
        self._lookup = _value_keys(self.labels.to_numpy(dtype=object))
        self.model_columns = [self.name]
        self.roles = {self.name: "discrete"}
        self.n_codes = {self.name: len(self.code_labels)}

    def _label_names(self, k: int) -> list[Any]:
        return list(self.labels.iloc[:k].to_numpy(dtype=object))

    def transform(self, s, rng):
        uniques_codes, uniques = pd.factorize(
            s.to_numpy(dtype=object) if isinstance(s.dtype, pd.CategoricalDtype) else s,
            use_na_sentinel=False,
        )
        label_pos = self._lookup.get_indexer(_value_keys(np.asarray(uniques, dtype=object)))
        if (label_pos < 0).any():
            unknown = [u for u, p in zip(uniques, label_pos, strict=True) if p < 0][:5]
            raise InvalidDataError(
                f"column {self.name!r} holds values not seen when fitting ({unknown}); "
                "refit the transformer on data that contains them"
            )
        codes = np.minimum(label_pos, self.n_kept)[uniques_codes]
        return {self.name: codes.astype(np.int64)}

    def inverse(self, frame, n, rng):
        codes = np.clip(np.asarray(frame[self.name]).astype(np.int64), 0, len(self.code_labels) - 1)
        if self.rare_p is not None:
            other = codes == self.n_kept
            n_other = int(other.sum())
            if n_other:
                codes = codes.copy()
                codes[other] = self.n_kept + rng.choice(
                    self.rare_p.size, size=n_other, p=self.rare_p
                )
        return self.labels.iloc[codes].reset_index(drop=True)


class _IdentifierHandler(_ColumnHandler):
    """Unique keys: never learned, regenerated unique in the source's pattern."""

    def fit(self, s, rng):
        present = s.dropna()
        self.null_share = 1 - len(present) / len(s) if len(s) else 0.0
        self.null_value = (
            _first_rows(s, np.flatnonzero(s.isna().to_numpy())[:1]) if self.null_share else None
        )
        self.numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(
            s.dtype
        )
        if self.numeric:
            self.low, self.high = int(present.min()), int(present.max())
        else:
            self.templates = fakes.pattern_templates(present.astype(str).to_numpy(dtype=object))

    def inverse(self, frame, n, rng):
        if self.numeric:
            values = fakes.unique_integers(n, self.low, self.high, rng).astype(object)
        else:
            values = fakes.unique_from_pattern(self.templates, n, rng)
        out = pd.Series(values, dtype=object)
        if self.null_value is not None and n:
            missing = rng.random(n) < self.null_share
            out[missing] = self.null_value.iloc[0]
        if self.numeric and self.null_value is None and _is_numpy_integer(self.dtype):
            return pd.Series(values.astype(np.int64)).astype(self.dtype)
        return _cast(out, self.dtype)


class _FakeHandler(_ColumnHandler):
    """Free text and personally identifying columns: replaced by realistic fakes."""

    def fit(self, s, rng):
        missing = _missing_mask(s, self.schema)
        self.null_share = float(missing.mean()) if len(s) else 0.0
        self.null_value = _first_rows(s, np.flatnonzero(missing)[:1]) if missing.any() else None
        self.faker = fakes.ColumnFaker.fit(self.schema, s, s[~missing], rng)

    def inverse(self, frame, n, rng):
        out = pd.Series(self.faker.generate(n, rng), dtype=object)
        if self.null_value is not None and n:
            missing = rng.random(n) < self.null_share
            if missing.any():
                out[missing] = self.null_value.iloc[0]
        return _cast(out, self.dtype)
