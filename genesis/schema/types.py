"""The schema data model: what Genesis knows about each column of a table.

A :class:`Schema` is plain data. It is produced by :func:`genesis.schema.infer_schema`,
consumed by the generators' transformer, exported by :func:`genesis.schema.discover`, and
round-trips exactly through ``to_dict``/``from_dict``, JSON and YAML.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any

from genesis.errors import SchemaError
from genesis.schema.support import Support


class ColumnKind(str, Enum):
    """How a column is modelled."""

    CONTINUOUS = "continuous"  # real numbers
    INTEGER = "integer"  # whole numbers, many distinct values (discrete numeric)
    CATEGORICAL = "categorical"  # a finite set of labels (strings or few-valued numbers)
    BOOLEAN = "boolean"  # two values: True/False, yes/no, 0/1 ...
    DATETIME = "datetime"  # points in time, native or stored as strings / YYYYMMDD integers
    IDENTIFIER = "identifier"  # unique keys: regenerated unique, never learned
    TEXT = "text"  # free text: regenerated, never learned


class SemanticType(str, Enum):
    """What a column means, found from its name and values."""

    EMAIL = "email"
    PHONE = "phone"
    POSTAL_CODE = "postal_code"
    PERSON_NAME = "person_name"
    DATE_OF_BIRTH = "date_of_birth"
    NATIONAL_ID = "national_id"
    CREDIT_CARD = "credit_card"
    IBAN = "iban"
    IP_ADDRESS = "ip_address"
    URL = "url"
    LATITUDE = "latitude"
    LONGITUDE = "longitude"
    MONEY = "money"


#: Semantic types that identify a person; columns carrying them are flagged ``pii``.
PII_SEMANTIC_TYPES = frozenset(
    {
        SemanticType.EMAIL,
        SemanticType.PHONE,
        SemanticType.PERSON_NAME,
        SemanticType.DATE_OF_BIRTH,
        SemanticType.NATIONAL_ID,
        SemanticType.CREDIT_CARD,
        SemanticType.IBAN,
        SemanticType.IP_ADDRESS,
    }
)


class DatetimeStorage(str, Enum):
    """How a datetime column is stored in the source, so it is written back the same way."""

    NATIVE = "native"  # a pandas datetime64 column
    STRING = "string"  # strings in ``datetime_format``
    INTEGER = "integer"  # integers such as 20240131 in ``datetime_format`` (e.g. "%Y%m%d")


@dataclass
class ColumnSchema:
    """Everything Genesis records about one column.

    Attributes:
        name: the column's name in the source.
        kind: how the column is modelled (see :class:`ColumnKind`).
        dtype: the pandas dtype of the source column, as ``str(series.dtype)``.
        null_share: share of missing values in [0, 1], missing-value tokens included.
        missing_tokens: strings that stand for a missing value in this column (``"?"`` in Adult).
        cardinality: number of distinct non-missing values.
        minimum, maximum: bounds of numeric columns (floats) and datetime columns (ISO strings).
        decimals: decimal places of a continuous column (``None`` when not fixed).
        categories: the labels of a categorical or boolean column, in order of first appearance,
            recorded only when there are at most ``MAX_RECORDED_CATEGORIES``.
        datetime_format: ``strftime`` format of datetimes stored as strings or integers.
        datetime_storage: how datetimes are stored (see :class:`DatetimeStorage`).
        semantic_type: what the column means, when recognised.
        pii: whether the column identifies a person; PII columns are replaced by fakes.
        unique: whether every non-missing value is distinct.
        logical_type: the source's own type when pandas has no native one for it, as Arrow
            writes it (``"date32[day]"``, ``"time64[us]"``, ``"decimal128(10, 2)"``,
            ``"timestamp[us, tz=UTC]"``); :func:`genesis.schema.restore_types` gives generated
            columns this type back.
        utc_offset: for timestamps stored as strings with a UTC offset, the offset written
            back: the source's one offset (``"+05:30"``), or, when the source mixes offsets,
            UTC in the source's notation (``"+00:00"``, ``"+0000"`` or ``"Z"``).
        support: for integer and continuous columns, the values the column really takes
            (clock-time encoding, point masses, grid, round numbers; see
            :class:`~genesis.schema.support.Support`); generated values stay on it.
    """

    name: str
    kind: ColumnKind
    dtype: str
    null_share: float = 0.0
    missing_tokens: list[str] = field(default_factory=list)
    cardinality: int = 0
    minimum: float | str | None = None
    maximum: float | str | None = None
    decimals: int | None = None
    categories: list[Any] | None = None
    datetime_format: str | None = None
    datetime_storage: DatetimeStorage | None = None
    semantic_type: SemanticType | None = None
    pii: bool = False
    unique: bool = False
    logical_type: str | None = None
    utc_offset: str | None = None
    support: Support | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-safe dict (enums as their string values)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, Enum):
                out[key] = value.value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnSchema:
        """Rebuild a column from :meth:`to_dict` output."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise SchemaError(
                f"column {data.get('name')!r}: unknown schema field(s) {sorted(unknown)}; "
                f"allowed fields are {sorted(known)}"
            )
        if "name" not in data or "kind" not in data or "dtype" not in data:
            raise SchemaError(
                f"a column entry needs 'name', 'kind' and 'dtype'; got keys {sorted(data)}"
            )
        values = dict(data)
        try:
            values["kind"] = ColumnKind(values["kind"])
            if values.get("datetime_storage") is not None:
                values["datetime_storage"] = DatetimeStorage(values["datetime_storage"])
            if values.get("semantic_type") is not None:
                values["semantic_type"] = SemanticType(values["semantic_type"])
        except ValueError as exc:
            raise SchemaError(f"column {data['name']!r}: {exc}") from None
        values["missing_tokens"] = list(values.get("missing_tokens") or [])
        values["support"] = Support.from_dict(values.get("support"))
        if values.get("logical_type") is not None:
            from genesis.schema.logical import parse_logical_type

            parse_logical_type(values["logical_type"])  # refuse a type that cannot be restored
        return cls(**values)


@dataclass
class Schema:
    """The schema of a whole table: its columns, in source order, and its row count.

    ``notes`` records how the schema was made beyond the rules, e.g. the semantic types a
    language model suggested and whether each was applied (see
    :class:`genesis.schema.LLMSchemaInferrer`); it holds no values of the table.
    """

    columns: list[ColumnSchema]
    n_rows: int = 0
    notes: list[str] = field(default_factory=list)

    #: categorical columns with more labels than this keep ``categories=None`` in the schema
    MAX_RECORDED_CATEGORIES = 100

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise SchemaError(f"schema has duplicate column names {duplicates}; rename them")

    def __setstate__(self, state: dict[str, Any]) -> None:
        # models pickled before ``notes`` existed hold schemas without it
        state.setdefault("notes", [])
        self.__dict__.update(state)

    # -- access ---------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Column names in source order."""
        return [c.name for c in self.columns]

    @property
    def pii_columns(self) -> list[str]:
        """Names of the columns flagged as personally identifying."""
        return [c.name for c in self.columns if c.pii]

    def __getitem__(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"no column {name!r} in schema; columns are {self.names}")

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.columns)

    def __iter__(self):
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    # -- serialisation --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-safe dict."""
        out: dict[str, Any] = {
            "n_rows": self.n_rows,
            "columns": [c.to_dict() for c in self.columns],
        }
        if self.notes:  # absent when empty, so schemas written before notes existed stay equal
            out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        """Rebuild a schema from :meth:`to_dict` output."""
        if not isinstance(data, dict) or "columns" not in data:
            raise SchemaError("a schema document needs a top-level 'columns' list")
        notes = data.get("notes") or []
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise SchemaError(f"a schema's 'notes' must be a list of strings, got {notes!r}")
        return cls(
            columns=[ColumnSchema.from_dict(c) for c in data["columns"]],
            n_rows=int(data.get("n_rows", 0)),
            notes=list(notes),
        )

    def to_json(self, indent: int | None = 2) -> str:
        """The schema as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Schema:
        """Parse a schema from :meth:`to_json` output."""
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise SchemaError(f"schema is not valid JSON: {exc}") from None

    def to_yaml(self) -> str:
        """The schema as a YAML document."""
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_yaml(cls, text: str) -> Schema:
        """Parse a schema from :meth:`to_yaml` output."""
        import yaml

        try:
            return cls.from_dict(yaml.safe_load(text))
        except yaml.YAMLError as exc:
            raise SchemaError(f"schema is not valid YAML: {exc}") from None
