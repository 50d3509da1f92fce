"""The reversible table transformer shared by every synthesizer.

:class:`TableTransformer` turns a source table into a *model frame* (float columns for
continuous values, integer codes for discrete ones) that a synthesizer learns, and turns a
synthetic model frame back into a table in exactly the source's format: column order, dtypes,
category sets, integer-ness, decimal precision, bounds, missing-value tokens, datetime storage.

Columns that must not be learned are handled here too: identifiers are regenerated unique in
the same pattern; PII is replaced by fakes (:mod:`genesis.generators.fakes`), and so is free
text unless some of its values are frequent; constant and all-null columns are reproduced as
they are. Rare values (held by fewer than ``rare_rows`` rows) of high-cardinality and
free-text columns, which would single out the people holding them, are never copied: they
come back as stand-ins that are no real value, in the same share of rows (``rare_values_``).

Each column is handled by a handler from :mod:`~genesis.generators.column_handlers`,
:mod:`~genesis.generators.numeric_handler` or :mod:`~genesis.generators.datetime_handler`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from genesis.errors import InvalidDataError, SchemaError
from genesis.generators.column_handlers import (
    RARE_LABEL,
    RARE_ROWS,
    _ColumnHandler,
    _ConstantHandler,
    _DiscreteHandler,
    _FakeHandler,
    _IdentifierHandler,
)
from genesis.generators.datetime_handler import _DateOfBirthHandler, _DatetimeHandler
from genesis.generators.encoding import (  # _MissingLabels: models saved before the split
    NULL_SUFFIX,
    OTHER_LABEL,
    _missing_mask,
    _MissingLabels,  # noqa: F401
)
from genesis.generators.numeric_handler import _NumericHandler
from genesis.schema.support import Support
from genesis.schema.types import (
    PII_SEMANTIC_TYPES,
    ColumnKind,
    ColumnSchema,
    Schema,
    SemanticType,
)
from genesis.validation import check_int

#: semantic types whose columns are replaced by fakes even when not flagged ``pii``
FAKE_SEMANTIC_TYPES = PII_SEMANTIC_TYPES | {SemanticType.URL, SemanticType.POSTAL_CODE}
#: a free-text column is learned (frequent values kept, rare ones replaced) when its values
#: held by at least ``rare_rows`` rows cover at least this share of its rows; else it is faked
FREQUENT_TEXT_SHARE = 0.2


def _is_fake_column(column: ColumnSchema) -> bool:
    # latitude, longitude and money are not PII: they are learned like any number
    return (
        column.kind is ColumnKind.TEXT or column.pii or column.semantic_type in FAKE_SEMANTIC_TYPES
    )


def _frequent_share(s: pd.Series, column: ColumnSchema, rare_rows: int) -> float:
    """Share of the rows of ``s`` holding a present value that ``rare_rows`` rows or more hold."""
    present = s[~_missing_mask(s, column)]
    if not len(s) or present.empty:
        return 0.0
    counts = present.value_counts(sort=False).to_numpy()
    return float(counts[counts >= rare_rows].sum() / len(s))


class TableTransformer:
    """Reversible map between a source table and the model frame every synthesizer learns.

    Args:
        schema: the table's :class:`~genesis.schema.Schema` (column kinds, tokens, formats).
        max_categories: categorical columns with more labels keep the most frequent
            (``max_categories`` codes in all) and share one ``__other__`` code for the rest.
        rare_rows: in columns with more than ``max_categories`` labels and in free text, a
            value held by fewer rows is *rare*: it would single those rows out, so it is never
            learned nor copied but replaced by a stand-in that is no real value (Faker values
            of the column's semantic type, new codes in the values' pattern, or the column's
            frequent values), in the same share of rows. 1 turns this off.
        seed: seed of the random draws made while fitting (values put in missing slots,
            identifier templates).

    After :meth:`fit`: ``model_columns_`` (model frame columns, in order),
    ``discrete_columns_`` (those holding integer codes), ``n_codes_`` (codes per discrete
    column), ``roles_`` (``"continuous"``, ``"integer"``, ``"discrete"`` or ``"indicator"``
    per model column), ``source_columns_`` (model columns of each source column),
    ``modelled_columns_`` (source columns that are learned, in source order) and
    ``rare_values_`` (how the rare values of each column that had some are replaced:
    ``"faker"``, ``"pattern"`` or ``"frequent"``).
    """

    def __init__(
        self,
        schema: Schema,
        *,
        max_categories: int = 100,
        rare_rows: int = RARE_ROWS,
        seed: int = 0,
    ) -> None:
        self.schema = schema
        self.max_categories = max_categories
        self.rare_rows = rare_rows
        self.seed = seed

    def _discrete(self, column: ColumnSchema, dtype) -> _DiscreteHandler:
        return _DiscreteHandler(column, dtype, self.max_categories, int(self.rare_rows))

    def _learns_text(self, column: ColumnSchema, s: pd.Series) -> bool:
        """Free text (not PII) whose frequent values cover enough rows to be learned."""
        return (
            column.kind is ColumnKind.TEXT
            and not column.pii
            and column.semantic_type not in FAKE_SEMANTIC_TYPES
            and _frequent_share(s, column, int(self.rare_rows)) >= FREQUENT_TEXT_SHARE
        )

    def _handler(self, column: ColumnSchema, s: pd.Series) -> _ColumnHandler:
        dtype = s.dtype
        # PII first: even a constant PII column must not come out with its real value
        learned_text = self._learns_text(column, s)
        if _is_fake_column(column) and not learned_text and not _missing_mask(s, column).all():
            if column.semantic_type is SemanticType.DATE_OF_BIRTH:
                try:
                    _DateOfBirthHandler(column, dtype).fit(s, np.random.default_rng(0))
                    return _DateOfBirthHandler(column, dtype)
                except (SchemaError, ValueError, TypeError):
                    pass
            return _FakeHandler(column, dtype)
        if s.nunique(dropna=False) <= 1:
            return _ConstantHandler(column, dtype)
        if column.kind is ColumnKind.IDENTIFIER or (
            # every value distinct and too many to learn: a key, whatever the schema says;
            # learning it would only copy real values out
            column.kind is ColumnKind.CATEGORICAL
            and len(s) > self.max_categories
            and s.notna().all()
            and s.is_unique
        ):
            return _IdentifierHandler(column, dtype)
        if column.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN) or learned_text:
            return self._discrete(column, dtype)
        if column.kind is ColumnKind.DATETIME:
            return _DatetimeHandler(column, dtype)
        handler = _NumericHandler(column, dtype)
        values, missing = handler._parse(s)
        if (~missing).sum() == 0:
            # nothing parses as a number: keep the values as labels
            return self._discrete(column, dtype)
        return handler

    def fit(self, df: pd.DataFrame) -> TableTransformer:
        """Learn how each column enters and leaves the model frame."""
        check_int("max_categories", self.max_categories, 2)
        check_int("rare_rows", self.rare_rows, 1)
        if list(df.columns) != self.schema.names:
            raise SchemaError(
                f"the schema's columns {self.schema.names} do not match the table's "
                f"{list(df.columns)}; infer the schema from this table with genesis.schema.infer_schema"
            )
        rng = np.random.default_rng(self.seed)
        self.columns_ = list(df.columns)
        self.dtypes_ = df.dtypes.copy()
        self.handlers_: list[_ColumnHandler] = []
        taken = set(self.columns_)
        for column in self.schema:
            s = df[column.name].reset_index(drop=True)
            handler = self._handler(column, s)
            handler.fit(s, rng)
            for model_column in handler.model_columns:
                if model_column != column.name and model_column in taken:
                    raise SchemaError(
                        f"the model column {model_column!r} would clash with a source column; "
                        f"rename the source column {model_column!r}"
                    )
            taken.update(handler.model_columns)
            self.handlers_.append(handler)
        self.model_columns_ = [m for h in self.handlers_ for m in h.model_columns]
        self.roles_ = {m: r for h in self.handlers_ for m, r in h.roles.items()}
        self.n_codes_ = {}
        for h in self.handlers_:
            self.n_codes_.update(h.n_codes)
            if isinstance(h, _DiscreteHandler):
                self.n_codes_[h.name] = h.n_codes[h.name]
        self.discrete_columns_ = [
            m for m in self.model_columns_ if self.roles_[m] in ("discrete", "indicator")
        ]
        self.source_columns_ = {
            h.name: list(h.model_columns) for h in self.handlers_ if h.model_columns
        }
        self.modelled_columns_ = list(self.source_columns_)
        self.rare_values_ = {
            h.name: h.rare_strategy
            for h in self.handlers_
            if isinstance(h, _DiscreteHandler) and h.rare_strategy is not None
        }
        self._transform_seed = int(rng.integers(2**63))
        return self

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        """The model frame of ``df`` (same columns as the table the transformer was fitted on)."""
        rng = np.random.default_rng(self._transform_seed)
        data: dict[str, np.ndarray] = {}
        for handler in self.handlers_:
            if handler.model_columns:
                data.update(handler.transform(df[handler.name].reset_index(drop=True), rng))
        frame = pd.DataFrame(
            {m: data[m] for m in self.model_columns_}, index=pd.RangeIndex(len(df))
        )
        return frame

    def support_of(self, model_column: str) -> Support | None:
        """The :class:`~genesis.schema.support.Support` behind a numeric model column (None
        for every other column, and for models saved before supports existed)."""
        for handler in self.handlers_:
            if handler.name == model_column:
                return getattr(handler, "support", None)
        return None

    def fold_point_masses(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the point-mass and round-grid codes of every state column set to 0:
        for a model that relates columns through their values, a point mass is a spike of
        the value's marginal, and a separate state code would only blur the relation."""
        out = frame.copy()
        for handler in self.handlers_:
            atoms = getattr(handler, "atoms", None)
            if atoms is None or not (atoms.size or handler.round_step is not None):
                continue
            # the round grid too: drawn apart from the value, it would round values that
            # already fell on a point mass or a round value, and inflate the round share
            first = handler.missing.n_codes
            state = frame[handler.null_column].to_numpy()
            out[handler.null_column] = np.where(state >= first, 0, state)
        return out

    def regular_values(self, frame: pd.DataFrame, seed: int) -> pd.DataFrame:
        """``frame`` with each point-mass value of a number column replaced by a random
        ordinary value of the same column.

        The transformed frame keeps a point mass's own value in the value column, so tree
        models can split on it; a model that learns each marginal apart from the state
        (the copula, the neural models) is better served by the other values alone: the
        state column brings the point masses back exactly at generation. Missing rows hold
        random observed values already; values on the round grid are ordinary values.
        """
        rng = np.random.default_rng(seed)
        out = frame.copy()
        for handler in self.handlers_:
            atoms = getattr(handler, "atoms", None)
            if atoms is None or not atoms.size:
                continue
            first = handler.missing.n_codes
            state = frame[handler.null_column].to_numpy()
            special = (state >= first) & (state < first + atoms.size)
            values = frame[handler.name].to_numpy()
            # neither missing (random fill) nor a point mass
            ordinary = values[(state == 0) | (state >= first + atoms.size)]
            if special.any() and ordinary.size:
                values = values.copy()
                values[special] = ordinary[rng.integers(0, ordinary.size, int(special.sum()))]
                out[handler.name] = values
        return out

    def fit_transform(self, df: pd.DataFrame) -> pd.DataFrame:
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(df).transform(df)

    def inverse_transform(
        self,
        frame: pd.DataFrame | Mapping[str, np.ndarray],
        rng: np.random.Generator | int | None = None,
        n: int | None = None,
    ) -> pd.DataFrame:
        """Turn a (synthetic) model frame back into a table in the source's exact format.

        Args:
            frame: the model frame, as a DataFrame or a mapping of column name to array.
            rng: drives the draws that are not in the model frame: categories behind
                ``__other__``, stand-ins for rare values, identifiers, fakes (a Generator, a
                seed, or None).
            n: number of rows; needed only when the frame has no columns.
        """
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        if isinstance(frame, pd.DataFrame):
            arrays = {m: frame[m].to_numpy() for m in self.model_columns_ if m in frame.columns}
            n = len(frame) if n is None else n
        else:
            arrays = {m: np.asarray(frame[m]) for m in self.model_columns_ if m in frame}
            if n is None:
                n = len(next(iter(arrays.values()))) if arrays else 0
        missing = [m for m in self.model_columns_ if m not in arrays]
        if missing:
            raise InvalidDataError(
                f"model frame lacks columns {missing}; pass the frame the synthesizer produced"
            )
        out = {}
        for handler in self.handlers_:
            series = handler.inverse(arrays, n, rng)
            series.index = pd.RangeIndex(n)
            out[handler.name] = series
        if len(out) > 100:
            return pd.DataFrame(out, columns=pd.Index(self.columns_, dtype=object))
        # column by column: for narrow tables this skips pandas' block consolidation, a full
        # copy of every object column (a third of the time of a million-row draw)
        table = pd.DataFrame(index=pd.RangeIndex(n))
        for name in self.columns_:
            table[name] = out[name]
        return table


__all__ = [
    "FAKE_SEMANTIC_TYPES",
    "FREQUENT_TEXT_SHARE",
    "NULL_SUFFIX",
    "OTHER_LABEL",
    "RARE_LABEL",
    "RARE_ROWS",
    "TableTransformer",
]
