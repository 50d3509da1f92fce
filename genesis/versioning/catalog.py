"""The Iceberg side of a repository: catalog settings, Arrow conversion, schema evolution."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from genesis.errors import (
    DataWriteError,
    InvalidDataError,
    InvalidParameterError,
    missing_dependency,
)
from genesis.io.urls import is_remote_url, is_url, redact_url

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.table import Table

logger = logging.getLogger(__name__)

T = TypeVar("T")

NAMESPACE = "genesis"
MAIN = "main"
#: snapshot summary keys written by Genesis (Iceberg summaries hold strings only)
MESSAGE_KEY = "genesis.message"
METADATA_KEY = "genesis.metadata"
FINGERPRINT_KEY = "genesis.fingerprint"
COLUMNS_KEY = "genesis.columns"
DTYPES_KEY = "genesis.dtypes"
MERGE_PARENT_KEY = "genesis.merge-parent"
SCHEMA_CHANGES_KEY = "genesis.schema-changes"
TAG_MESSAGE_PREFIX = "genesis.tag-message."
NOTE_PREFIX = "genesis.note."


def require_pyiceberg() -> None:
    try:
        import pyiceberg  # noqa: F401
    except ImportError as exc:  # pragma: no cover - installed with the project
        raise missing_dependency("pyiceberg", "dataset versioning") from exc


def catalog_properties(path_or_uri: str, catalog: dict[str, Any] | str | None) -> dict[str, str]:
    """PyIceberg catalog properties from ``init``'s arguments."""
    if catalog is None:
        if is_remote_url(path_or_uri):
            raise InvalidParameterError(
                f"the warehouse {redact_url(path_or_uri)!r} is remote, and the embedded SQLite catalog lives "
                "in a local folder; pass catalog={'uri': 'sqlite:////path/catalog.db'} (or a "
                "REST/Glue/Hive/PostgreSQL catalog's properties) together with the s3:// warehouse"
            )
        root = Path(path_or_uri.removeprefix("file://")).expanduser().resolve()
        try:
            (root / "warehouse").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataWriteError(
                f"cannot create the repository folder {str(root)!r}: {exc}; choose a writable path"
            ) from None
        return {
            "type": "sql",
            "uri": f"sqlite:///{root / 'catalog.db'}",
            "warehouse": (root / "warehouse").as_uri(),
        }
    if isinstance(catalog, str):
        props: dict[str, Any] = {"uri": catalog}
    elif isinstance(catalog, dict):
        props = dict(catalog)
    else:
        raise InvalidParameterError(
            f"catalog must be None, a catalog URI or a dict of PyIceberg catalog properties; "
            f"got {type(catalog).__name__}"
        )
    uri = str(props.get("uri", ""))
    if "type" not in props and "py-catalog-impl" not in props:
        if not uri:
            raise InvalidParameterError(
                "the catalog settings name neither 'type' nor 'uri'; give e.g. "
                "{'type': 'rest', 'uri': 'http://host:8181'} or {'uri': 'sqlite:///catalog.db'}"
            )
        props["type"] = "rest" if uri.startswith(("http://", "https://")) else "sql"
    if path_or_uri:
        warehouse = path_or_uri
        if not is_url(warehouse):
            local = Path(warehouse).expanduser().resolve()
            local.mkdir(parents=True, exist_ok=True)
            warehouse = local.as_uri()
        props.setdefault("warehouse", warehouse)
    return {k: str(v) for k, v in props.items()}


def open_catalog(path_or_uri: str, catalog: dict[str, Any] | str | None) -> Any:
    """The PyIceberg catalog for ``path_or_uri`` and ``catalog`` (see
    :meth:`~genesis.versioning.DatasetRepository.init`); one that does not open is an
    :class:`~genesis.errors.InvalidParameterError` naming it (credentials redacted)."""
    require_pyiceberg()
    from pyiceberg.catalog import load_catalog

    props = catalog_properties(str(path_or_uri), catalog)
    name = props.pop("name", "genesis")
    try:
        return load_catalog(name, **props)
    except Exception as exc:
        raise InvalidParameterError(
            f"cannot open the Iceberg catalog {name!r} ({props.get('type')}, "
            f"{redact_url(str(props.get('uri', '')))}): {exc}; check the catalog settings"
        ) from None


def to_arrow(df: pd.DataFrame) -> pa.Table:
    """The DataFrame as Arrow with Iceberg-storable types (µs timestamps, no dictionaries)."""
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InvalidDataError(
            f"cannot store the DataFrame as an Iceberg table: {exc}; give each column a single "
            "type (e.g. df[col] = df[col].astype(str) for mixed columns)"
        ) from None
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_timestamp(t) and t.unit == "ns":
            t = pa.timestamp("us", tz=t.tz)
        if pa.types.is_null(t):
            t = pa.string()
        if pa.types.is_large_string(t):
            t = pa.string()
        fields.append(pa.field(f.name, t, nullable=True))
    schema = pa.schema(fields)
    try:
        return table.cast(schema, safe=False).replace_schema_metadata(None)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidDataError(f"cannot convert the DataFrame for Iceberg: {exc}") from None


def iceberg_types(arrow_schema: pa.Schema) -> dict[str, Any]:
    from pyiceberg.io.pyarrow import _pyarrow_to_schema_without_ids

    return {f.name: f.field_type for f in _pyarrow_to_schema_without_ids(arrow_schema).fields}


def evolve_schema(
    table: Table, arrow_schema: pa.Schema, head: int | None, name: str
) -> tuple[bool, list[str]]:
    """Make the table's schema that of the new data.

    Returns whether the table's schema changed, and the changes relative to the branch
    head's own schema: what a person reads (another branch may have evolved the table).
    """
    new = iceberg_types(arrow_schema)
    current = {f.name: f.field_type for f in table.schema().fields}
    dropped = [n for n in current if n not in new]
    retyped = [n for n in new if n in current and new[n] != current[n]]
    evolved = bool(dropped or retyped or any(n not in current for n in new))
    old = current
    snap = None if head is None else table.snapshot_by_id(head)
    if snap is not None and snap.schema_id is not None:
        schema = table.schemas().get(snap.schema_id)
        if schema is not None:
            old = {f.name: f.field_type for f in schema.fields}
    described: list[str] = []
    if head is not None:
        described = [f"added column {n!r} ({new[n]})" for n in new if n not in old]
        described += [f"dropped column {n!r} (was {old[n]})" for n in old if n not in new]
        described += [
            f"retyped column {n!r}: {old[n]} -> {new[n]}"
            for n in new
            if n in old and new[n] != old[n]
        ]
    if described:
        logger.warning("%s: schema evolves with this commit: %s", name, "; ".join(described))
    if dropped or retyped:
        # a retyped column becomes a new field: old snapshots keep their own typed field
        with table.update_schema(allow_incompatible_changes=True) as update:
            for n in dropped + retyped:
                update.delete_column(n)
        table = table.refresh()
    if evolved:
        with table.update_schema() as update:
            update.union_by_name(arrow_schema)
    return evolved, described


def retry(action: Callable[[], T], what: str, max_retries: int) -> T:
    """Run ``action`` until it lands: another writer's commit makes the catalog refuse ours."""
    from pyiceberg.exceptions import CommitFailedException, ValidationException

    retryable: tuple[type[BaseException], ...] = (CommitFailedException, ValidationException)
    try:  # SQLite answers "database is locked" while another process writes
        from sqlalchemy.exc import OperationalError

        retryable += (OperationalError,)
    except ImportError:  # pragma: no cover - REST/Glue catalogs need no SQLAlchemy
        pass
    for attempt in range(max_retries):
        try:
            return action()
        except retryable as exc:
            if attempt == max_retries - 1:
                raise DataWriteError(
                    f"{what} did not land after {max_retries} attempts "
                    f"({exc}); other writers keep committing: retry later or raise max_retries"
                ) from None
            time.sleep(random.uniform(0.01, 0.05) * (2 ** min(attempt, 4)))
    raise AssertionError("unreachable")  # pragma: no cover
