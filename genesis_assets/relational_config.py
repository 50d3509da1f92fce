"""A dataset of several tables linked by keys, in ``genesis.yaml``.

Instead of ``source:``, such a dataset names its tables and, optionally, their
relationships (the ``rel.yaml`` format of ``genesis generate DIR --relationships``; inferred
from the data when omitted) and the root table its privacy audit runs on::

    datasets:
      - name: flights
        tables:                       # table name -> path (relative to genesis.yaml) or URI
          airlines: data/airlines.csv
          planes: data/planes.csv
          flights: data/flights.csv
        relationships:                # optional: inferred (keys by uniqueness and name,
          - {parent: airlines, parent_key: carrier, child: flights, child_key: carrier}
          - {parent: planes, parent_key: tailnum, child: flights, child_key: tailnum}
        root: planes                  # optional: the audited table (joined with aggregates
        sensitive_columns: [seats]    #   of its children); default: the largest root
        method: cart

Everything that can be checked without reading the tables is checked when the file loads:
a relationship naming a table the dataset does not list, a missing file, ``source`` and
``tables`` together, options that only apply to one table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from genesis.io.urls import is_url

if TYPE_CHECKING:
    from genesis_assets.config import DatasetConfig

#: single-table options a dataset of several tables cannot take, with the reason
SINGLE_TABLE_ONLY = {
    "query": "it applies to one SQL source; give each table its own URL or file",
    "format": "each table's format comes from its extension",
    "scenarios": "conditional scenarios are single-table; declare them on a one-table dataset",
    "stream": "publishing to Kafka is single-table; declare it on a one-table dataset",
    "privacy_retry": "the retry ladder refits one table's model",
    "rows": "every table's size follows 'scale' (a multiple of its real rows)",
}
#: the single-table method relational datasets use when ``method`` is left at 'auto'
DEFAULT_RELATIONAL_METHOD = "cart"


class RelationshipConfig(BaseModel):
    """One foreign key: ``child.child_key`` refers to ``parent.parent_key`` (composite keys
    as lists of the same length)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    parent: str = Field(description="The referenced table.")
    parent_key: str | list[str] = Field(description="Its key column(s).")
    child: str = Field(description="The referring table.")
    child_key: str | list[str] = Field(description="The referring column(s).")

    def as_dict(self) -> dict[str, Any]:
        """The ``rel.yaml`` / ``Relationship.from_dict`` form (keys as lists)."""
        listed = {k: [v] if isinstance(v, str) else list(v) for k, v in
                  (("parent_key", self.parent_key), ("child_key", self.child_key))}  # fmt: skip
        return {"parent": self.parent, "child": self.child, **listed}


def relational_method(ds: DatasetConfig) -> str:
    """The single-table method the relational synthesizer uses: 'auto' (the default, an
    AutoML search over one table) means CART here."""
    return DEFAULT_RELATIONAL_METHOD if ds.method == "auto" else ds.method


def relational_problems(
    ds: DatasetConfig, base: Path, label: str
) -> tuple[list[str], dict[str, str]]:
    """The problems of a dataset of several tables, and its table sources resolved against
    ``base`` (absolute paths; URIs unchanged)."""
    problems: list[str] = []
    tables = dict(ds.tables or {})
    if ds.source is not None:
        return [
            f"{label}: give either 'source' (one table) or 'tables' (several tables linked "
            "by keys), not both; remove one"
        ], tables
    if ds.tables is None:
        return [
            f"{label}, field 'source' is required; add the path or URI of the table to "
            "synthesise, or 'tables: {name: path, ...}' for several tables linked by keys"
        ], tables
    if not tables:
        return [
            f"{label}, field 'tables': no table listed; add 'tables: {{name: path, ...}}' "
            "(or 'source:' for a single table)"
        ], tables
    explicit = ds.model_fields_set
    for field, reason in SINGLE_TABLE_ONLY.items():
        if field in explicit and getattr(ds, field) not in (None, {}, []):
            problems.append(f"{label}, field {field!r}: not available with 'tables' ({reason})")
    if "method" in explicit and ds.method == "auto":
        problems.append(
            f"{label}, field 'method': 'auto' (the AutoML search) fits one table; with "
            f"'tables' choose a method, e.g. {DEFAULT_RELATIONAL_METHOD!r}, or omit it"
        )
    if ds.holdout_fraction == 0:
        problems.append(
            f"{label}, field 'holdout_fraction': the privacy audit of a dataset of several "
            "tables holds out families of its root table as its control, and the value is 0; "
            "set it (e.g. 0.2)"
        )
    resolved = {}
    for table, source in tables.items():
        if not table.replace("_", "a").isalnum() or table[:1].isdigit():
            problems.append(
                f"{label}, field 'tables': table name {table!r} must start with a letter or "
                "'_' and hold only letters, digits and '_' (it becomes an asset name); rename it"
            )
        resolved[table] = source
        if not is_url(source) or source.startswith("file://"):
            local = Path(source.removeprefix("file://")).expanduser()
            local = (local if local.is_absolute() else base / local).resolve()
            if not local.is_file():
                problems.append(
                    f"{label}, field 'tables.{table}': file {str(local)!r} does not exist; fix "
                    "the path (relative paths are read from the folder of genesis.yaml)"
                )
            resolved[table] = str(local)
    problems.extend(_relationship_problems(ds, set(tables), label))
    if ds.root is not None and ds.root not in tables:
        problems.append(
            f"{label}, field 'root': {ds.root!r} is not one of the tables {sorted(tables)}; "
            "name one of them or omit 'root' (default: the largest root table)"
        )
    return problems, resolved


def single_table_problems(ds: DatasetConfig, label: str) -> list[str]:
    """A dataset with one ``source`` cannot take the options of several tables."""
    return [
        f"{label}, field {field!r}: only applies with 'tables' (several tables linked by "
        "keys); remove it, or list the tables under 'tables' instead of 'source'"
        for field in ("relationships", "primary_keys", "root")
        if field in ds.model_fields_set
    ]


def _relationship_problems(ds: DatasetConfig, tables: set[str], label: str) -> list[str]:
    problems = []
    for i, rel in enumerate(ds.relationships or []):
        where = f"{label}, field 'relationships[{i}]'"
        for side in ("parent", "child"):
            name = getattr(rel, side)
            if name not in tables:
                problems.append(
                    f"{where}: {side} {name!r} is not one of the tables {sorted(tables)}; "
                    "correct the name or add the table under 'tables'"
                )
        keys = rel.as_dict()
        if len(keys["parent_key"]) != len(keys["child_key"]) or not keys["parent_key"]:
            problems.append(
                f"{where}: parent_key {keys['parent_key']} and child_key {keys['child_key']} "
                "must name as many columns (at least one)"
            )
    if ds.relationships and not problems:
        # a cycle (or a key naming a column twice) needs no data to be seen: refuse it at
        # load, not when the schema stage runs
        from genesis.errors import RelationalSchemaError
        from genesis.relational.schema import RelationalSchema

        try:
            RelationalSchema(None, [r.as_dict() for r in ds.relationships])
        except RelationalSchemaError as exc:
            problems.append(f"{label}, field 'relationships': {exc}")
    if ds.primary_keys and ds.relationships is None:
        problems.append(
            f"{label}, field 'primary_keys': only read with declared 'relationships' (both "
            "are inferred otherwise); add the relationships or remove primary_keys"
        )
    for table, key in (ds.primary_keys or {}).items():
        if table not in tables:
            problems.append(
                f"{label}, field 'primary_keys': {table!r} is not one of the tables "
                f"{sorted(tables)}; correct the name"
            )
        elif not key:
            problems.append(f"{label}, field 'primary_keys.{table}': list at least one column")
    return problems


def relationships_document(ds: DatasetConfig) -> dict[str, Any] | None:
    """The declared relationships in the ``RelationalSchema.from_dict`` form, or None when
    they are to be inferred."""
    if ds.relationships is None:
        return None
    document: dict[str, Any] = {"relationships": [r.as_dict() for r in ds.relationships]}
    if ds.primary_keys:
        document["primary_keys"] = {t: list(k) for t, k in ds.primary_keys.items()}
    return document
