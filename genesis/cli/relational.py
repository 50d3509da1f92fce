"""``genesis generate DIR -o OUTDIR``: several tables linked by keys, synthesised together.

``genesis generate`` calls :func:`generate_directory` when its DATA argument is a folder:
each CSV, Parquet or JSON Lines file in it is a table named after the file (``planes.csv``
is the table ``planes``); ``--relationships rel.yaml`` declares the foreign keys (the
:meth:`genesis.relational.RelationalSchema.to_yaml` format), else they are inferred and
printed, ready to save and correct. Every synthetic table is written to OUTDIR under its
input's file name, each file atomically, and only once every table has been generated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

#: the file endings read as tables (formats Genesis both reads and writes)
TABLE_SUFFIXES = (".csv", ".parquet", ".pq", ".jsonl", ".ndjson")


def find_tables(folder: Path) -> dict[str, Path]:
    """Table name (the file's stem) -> file, for every table file directly in ``folder``.

    Raises:
        SourceNotFoundError: the folder holds no table file.
        InvalidDataError: two files give the same table name (``planes.csv``, ``planes.parquet``).
    """
    from genesis.errors import InvalidDataError, SourceNotFoundError

    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() not in TABLE_SUFFIXES:
            continue
        if path.stem in found:
            raise InvalidDataError(
                f"{found[path.stem].name} and {path.name} would both be the table "
                f"{path.stem!r}; keep one file per table in {folder}"
            )
        found[path.stem] = path
    if not found:
        raise SourceNotFoundError(
            f"no table found in {folder}: put one file per table there ({', '.join(TABLE_SUFFIXES)}"
            "; the file name without its extension is the table name)"
        )
    return found


def read_relationships(path: Path, tables: dict[str, Any]):
    """The :class:`~genesis.relational.RelationalSchema` of a ``rel.yaml`` file, over every
    table of the folder (tables it does not mention are kept, unlinked)."""
    from genesis.errors import RelationalSchemaError, SourceNotFoundError
    from genesis.relational import RelationalSchema

    if not path.is_file():
        raise SourceNotFoundError(
            f"relationships file {path} does not exist; omit --relationships to infer them"
        )
    declared = RelationalSchema.from_yaml(path.read_text(encoding="utf-8"))
    unknown = sorted(set(declared.table_names) - set(tables))
    if unknown:
        raise RelationalSchemaError(
            f"{path.name} names table(s) {unknown} that are not in the folder (its tables: "
            f"{sorted(tables)}); correct the names (a table is its file name without extension)"
        )
    columns = {name: list(df.columns) for name, df in tables.items()}
    document = declared.to_dict()
    return RelationalSchema(columns, document["relationships"], document.get("primary_keys"))


def generate_directory(
    folder: Path,
    output: Path,
    *,
    relationships: Path | None,
    method: str,
    scale: float,
    seed: int,
    read: Callable[[str], Any],
    step: Callable[[str], None],
    save_model: Path | None = None,
) -> dict[str, Any]:
    """Fit a :class:`~genesis.relational.RelationalSynthesizer` on the tables of ``folder``
    and write every synthetic table into ``output``; return a summary (rows per table,
    valid foreign-key share per relationship, the schema and whether it was inferred)."""
    from genesis.io import write_table
    from genesis.relational import RelationalSchema, RelationalSynthesizer
    from genesis.relational.flatten import referential_integrity

    files = find_tables(folder)
    if output.resolve() == folder.resolve():
        raise typer.BadParameter(
            "must not be the input folder (the synthetic tables would replace the real ones)",
            param_hint="'--output'",
        )
    tables = {}
    for name, path in files.items():
        step(f"reading {path.name}")
        tables[name] = read(str(path))
    if relationships is not None:
        schema = read_relationships(relationships, tables)
    else:
        step("inferring the relationships")
        schema = RelationalSchema.infer(tables)
    schema.validate(tables)
    step(f"fitting {method} on {len(tables)} tables")
    model = RelationalSynthesizer(method=method, seed=seed).fit(tables, schema)
    step(f"generating (scale {scale:g})")
    synthetic = model.generate(scale=scale, seed=seed)
    written = {}
    for name, path in files.items():  # after every table exists: no half-written set
        step(f"writing {name}")
        written[name] = write_table(synthetic[name], output / path.name)
    if save_model is not None:
        step(f"saving the model to {save_model}")
        model.save(str(save_model))
    return {
        "tables": {
            name: {
                "real_rows": len(tables[name]),
                "rows": len(synthetic[name]),
                "path": written[name],
            }
            for name in files
        },
        "foreign_keys_valid": referential_integrity(synthetic, model.schema_),
        "real_foreign_keys_valid": referential_integrity(tables, schema),
        "schema": schema,
        "inferred": relationships is None,
    }


def print_summary(summary: dict[str, Any]) -> None:
    """The summary on stdout: the inferred relationships (as rel.yaml), rows per table, the
    share of valid foreign keys per relationship (real and synthetic)."""
    if summary["inferred"]:
        typer.echo("# relationships inferred from the data; save as rel.yaml, correct, and pass")
        typer.echo("# it back with --relationships rel.yaml")
        typer.echo(summary["schema"].to_yaml().rstrip())
        typer.echo("")
    width = max(len(n) for n in summary["tables"])
    typer.echo(f"{'table':<{width}}  {'real rows':>10}  {'synthetic':>10}  file")
    for name, info in summary["tables"].items():
        typer.echo(
            f"{name:<{width}}  {info['real_rows']:>10,}  {info['rows']:>10,}  {info['path']}"
        )
    valid = summary["foreign_keys_valid"]
    if not valid:
        typer.echo("no relationship: the tables were synthesised independently")
        return
    typer.echo("")
    width = max(len(k) for k in valid)
    typer.echo(f"{'foreign key':<{width}}  {'valid (real)':>12}  {'valid (synthetic)':>17}")
    for key, share in valid.items():
        real = summary["real_foreign_keys_valid"].get(key)
        real_text = "" if real is None else f"{real:.1%}"
        typer.echo(f"{key:<{width}}  {real_text:>12}  {share:>17.1%}")
