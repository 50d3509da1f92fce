"""Column handlers: how one source column enters the model frame and comes back.

This module holds the base handler and the simple kinds (constants, labels, identifiers,
fakes); numbers and datetimes have modules of their own. Labels held by fewer than
:data:`RARE_ROWS` rows are replaced, never copied, where they identify (see
:class:`_DiscreteHandler`).
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
from genesis.schema.support import RARE_VALUE_ROWS
from genesis.schema.types import ColumnKind, ColumnSchema

#: labels held by fewer rows are rare: never learned nor copied where they would identify
#: (see :class:`_DiscreteHandler`)
RARE_ROWS = RARE_VALUE_ROWS  # one threshold for rare labels and rare numbers
#: label of the code shared by the rare values of a column
RARE_LABEL = "__rare__"

#: a categorical column with more labels than this (or than the model codes) is
#: high-cardinality: its labels are not a closed vocabulary, and the rare ones identify rows.
#: The same for every method, whatever its ``max_categories`` (CART codes 500 labels).
HIGH_CARDINALITY_LABELS = 100


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
    """Categorical and boolean columns (and free text with frequent values): integer codes,
    most frequent label first.

    Missing values (NaN, tokens such as ``"?"``) are labels of their own. Beyond
    ``max_categories`` labels the less frequent ones share one ``__other__`` code, drawn back
    from their empirical frequencies.

    Privacy: in a column with more than ``max_categories`` labels, and in every free-text
    column, a *rare* label (held by fewer than ``rare_rows`` rows; missing values excepted)
    would single out the rows that hold it, so it is never learned nor kept: its rows share
    one ``__rare__`` code (the share of rows with a rare value is learned like any label's) and
    come back as stand-ins that are never a real value (see ``rare_strategy``). The handler
    keeps only hashes of the rare labels, to encode them and to reject stand-ins equal to any
    real value. Every label kept verbatim is held by at least ``rare_rows`` rows.

    After :meth:`fit`: ``rare_strategy`` (None when nothing was replaced, else ``"faker"``:
    Faker values of the column's semantic type, e.g. text for free text; ``"pattern"``: new
    codes in the rare values' character pattern; ``"frequent"``: the column's frequent values
    at their frequencies), ``n_rare_labels`` and ``rare_share`` (share of rows with a rare value).
    """

    # defaults of models saved before rare values were replaced (their pickles lack these)
    rare_rows = 1
    rare_code: int | None = None
    rare_strategy: str | None = None
    n_rare_labels = 0
    rare_share = 0.0
    replacer: fakes.ColumnFaker | None = None

    def __init__(self, column, dtype, max_categories: int, rare_rows: int = RARE_ROWS) -> None:
        super().__init__(column, dtype)
        self.max_categories = max_categories
        self.rare_rows = rare_rows

    def __setstate__(self, state: dict[str, Any]) -> None:
        # models saved before: ``rare_p`` held the pooled labels' frequencies
        if "rare_p" in state:
            state["pooled_p"] = state.pop("rare_p")
        self.__dict__.update(state)

    def fit(self, s, rng):
        _, first, counts = _factorize(s)
        labels = _first_rows(s, first)  # every label, in the source dtype
        missing = _missing_mask(labels, self.schema)
        rare = np.zeros(first.size, dtype=bool)
        if self.schema.kind is ColumnKind.TEXT or first.size > min(
            self.max_categories, HIGH_CARDINALITY_LABELS
        ):
            rare = (counts < self.rare_rows) & ~missing
        self._fit_rare(labels, counts, rare, missing, len(s), rng)
        keep = np.flatnonzero(~rare)
        self.labels = _first_rows(labels, keep)  # frequent labels only: no rare value is kept
        counts = counts[keep]
        slots = self.max_categories - int(self.rare_code is not None)
        if keep.size > slots:
            self.n_kept = slots - 1
            pooled = counts[self.n_kept :].astype(np.float64)
            self.pooled_p = pooled / pooled.sum()
            names = [*self._label_names(self.n_kept), OTHER_LABEL]
        else:
            self.n_kept = keep.size
            self.pooled_p = None
            names = self._label_names(keep.size)
        if self.rare_code is not None:
            self.rare_code = len(names)
            names.append(RARE_LABEL)
            if self.rare_strategy == "frequent":
                present = np.flatnonzero(~missing[keep])
                self.replacement_pos = present
                self.replacement_p = counts[present] / counts[present].sum()
        self.code_labels = names
        self._lookup = _value_keys(self.labels.to_numpy(dtype=object))
        self.model_columns = [self.name]
        self.roles = {self.name: "discrete"}
        self.n_codes = {self.name: len(self.code_labels)}

    def _fit_rare(self, labels, counts, rare, missing, n_rows, rng) -> None:
        """Decide how the rare labels come back; keep only their hashes."""
        self.n_rare_labels = int(rare.sum())
        self.rare_share = float(counts[rare].sum() / n_rows) if n_rows else 0.0
        self.rare_code = None
        self.rare_strategy = None
        self.replacer = None
        if not self.n_rare_labels:
            return
        self.rare_code = -1  # its position is set once the other codes are known
        self.rare_hashes = fakes.hash_values(labels[rare])
        real_hashes = fakes.hash_values(labels[~missing])
        choice = fakes.rare_value_faker(
            self.schema, labels[rare], real_hashes, int((~missing).sum()), rng
        )
        if choice is None and (~rare & ~missing).any():
            self.rare_strategy = "frequent"
            return
        # neither a known type nor codes, and no frequent value to stand in: Faker text
        self.rare_strategy, self.replacer = choice or (
            "faker",
            fakes.text_faker(labels[rare], real_hashes),
        )

    def _label_names(self, k: int) -> list[Any]:
        return list(self.labels.iloc[:k].to_numpy(dtype=object))

    def transform(self, s, rng):
        uniques_codes, uniques = pd.factorize(
            s.to_numpy(dtype=object) if isinstance(s.dtype, pd.CategoricalDtype) else s,
            use_na_sentinel=False,
        )
        uniques = np.asarray(uniques, dtype=object)
        label_pos = self._lookup.get_indexer(_value_keys(uniques))
        codes = np.minimum(label_pos, self.n_kept)
        unknown = np.flatnonzero(label_pos < 0)
        if unknown.size and self.rare_code is not None:
            is_rare = np.isin(fakes.hash_each(uniques[unknown]), self.rare_hashes)
            codes[unknown[is_rare]] = self.rare_code
            unknown = unknown[~is_rare]
        if unknown.size:
            raise InvalidDataError(
                f"column {self.name!r} holds values not seen when fitting "
                f"({list(uniques[unknown[:5]])}); refit the transformer on data that contains them"
            )
        return {self.name: codes[uniques_codes].astype(np.int64)}

    def inverse(self, frame, n, rng):
        codes = np.clip(np.asarray(frame[self.name]).astype(np.int64), 0, len(self.code_labels) - 1)
        other = codes == self.n_kept if self.pooled_p is not None else None
        rare = codes == self.rare_code if self.rare_code is not None else None
        positions = codes  # a fresh array: filled in place
        n_other = 0 if other is None else int(other.sum())
        if n_other:
            positions[other] = self.n_kept + rng.choice(
                self.pooled_p.size, size=n_other, p=self.pooled_p
            )
        n_rare = 0 if rare is None else int(rare.sum())
        if not n_rare:
            return self.labels.iloc[positions].reset_index(drop=True)
        if self.rare_strategy == "frequent":
            positions[rare] = rng.choice(self.replacement_pos, size=n_rare, p=self.replacement_p)
            return self.labels.iloc[positions].reset_index(drop=True)
        values = np.empty(n, dtype=object)
        if len(self.labels):
            positions[rare] = 0
            values[:] = self.labels.to_numpy(dtype=object)[positions]
        values[rare] = self.replacer.generate(n_rare, rng)
        return self._in_source_dtype(values, rare)

    def _in_source_dtype(self, values: np.ndarray, replaced: np.ndarray) -> pd.Series:
        if isinstance(self.dtype, pd.CategoricalDtype):
            # stand-ins join the declared categories
            drawn = pd.Index(pd.unique(values[replaced]), dtype=object)
            categories = self.dtype.categories.append(drawn[~drawn.isin(self.dtype.categories)])
            return pd.Series(pd.Categorical(values, categories, ordered=self.dtype.ordered))
        return _cast(pd.Series(values, dtype=object), self.dtype)


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
