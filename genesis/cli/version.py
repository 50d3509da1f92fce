"""``genesis version ...``: the versions of a synthetic dataset in its Iceberg repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from genesis.cli.common import fail, handles_errors, stdout

version_app = typer.Typer(
    help="Versions of a synthetic dataset in its Iceberg repository: log, tag, diff, verify, "
    "clean.",
    no_args_is_help=True,
)

RepoOption = Annotated[
    Path,
    typer.Option(
        "--repo",
        help="The dataset repository's folder (the Dagster chain's: .genesis/warehouse).",
    ),
]
DatasetOption = Annotated[
    str, typer.Option("--dataset", "-d", help="The dataset's name, as in genesis.yaml.")
]
DEFAULT_REPO = Path(".genesis/warehouse")


def _repository(repo: Path, dataset: str):
    from genesis.versioning import DatasetRepository

    if not (repo / "catalog.db").is_file():
        raise fail(
            f"no dataset repository at {repo}; materialize the chain first (make demo) "
            "or pass --repo with the folder that holds catalog.db"
        )
    repository = DatasetRepository.init(repo, name=dataset)
    if not repository.log():
        raise fail(
            f"dataset {dataset!r} has no versions in {repo}; check --dataset against genesis.yaml"
        )
    return repository


def _tag_pairs(tags: Any) -> list[tuple[str, str]]:
    """(tag, version id) pairs from ``tags()``: a mapping, or ``Tag`` objects."""
    if isinstance(tags, dict):
        return [(str(name), str(version)) for name, version in tags.items()]
    return [(str(tag.name), str(tag.commit_hash)) for tag in tags]


@version_app.command("log")
@handles_errors
def version_log(
    dataset: DatasetOption,
    repo: RepoOption = DEFAULT_REPO,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Newest N.")] = None,
) -> None:
    """List the versions of DATASET, newest first, with their tags."""
    from rich.table import Table

    repository = _repository(repo, dataset)
    tags_by_version: dict[str, list[str]] = {}
    for tag, version_id in _tag_pairs(repository.tags()):
        tags_by_version.setdefault(version_id, []).append(tag)
    table = Table(title=f"{dataset} versions", show_header=True)
    for column in ("version", "time (UTC)", "tags", "message"):
        table.add_column(column)
    for commit in repository.log(limit=limit):
        table.add_row(
            commit.hash,
            commit.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
            ", ".join(sorted(tags_by_version.get(commit.hash, []))),
            commit.message,
        )
    stdout().print(table)


@version_app.command("tag")
@handles_errors
def version_tag(
    name: Annotated[str, typer.Argument(help="The tag, e.g. release-2026-11.")],
    dataset: DatasetOption,
    repo: RepoOption = DEFAULT_REPO,
    message: Annotated[str, typer.Option("--message", "-m", help="Why this version.")] = "",
    ref: Annotated[
        str | None, typer.Option("--ref", help="Version to tag (default: the newest).")
    ] = None,
) -> None:
    """Tag a version of DATASET so consumers can pin it."""
    commit = _repository(repo, dataset).tag(name, message, ref=ref)
    typer.echo(f"tagged {dataset} version {commit.hash} as {name}")


@version_app.command("diff")
@handles_errors
def version_diff(
    ref1: Annotated[str, typer.Argument(help="The older version (id, tag or branch).")],
    dataset: DatasetOption,
    ref2: Annotated[
        str | None, typer.Argument(help="The newer version (default: the newest).")
    ] = None,
    repo: RepoOption = DEFAULT_REPO,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Rows added and removed, and per-column statistic changes, between two versions."""
    from genesis.jsonsafe import json_safe

    difference = _repository(repo, dataset).diff(ref1, ref2)
    typer.echo(json.dumps(json_safe(difference.to_dict())) if as_json else difference.summary())


@version_app.command("verify")
@handles_errors
def version_verify(dataset: DatasetOption, repo: RepoOption = DEFAULT_REPO) -> None:
    """Check every data file of every version of DATASET, and list orphaned files.

    Exits with status 1 when a version's data is missing or damaged; orphaned files (left by
    an interrupted commit, referenced by no version) are harmless: ``genesis version clean``
    removes them.
    """
    report = _repository(repo, dataset).verify()
    orphans = list(report.orphaned_files)
    typer.echo(
        f"checked {report.files_checked} data files in {report.snapshots_checked} versions: "
        f"{len(report.problems)} problems, {len(orphans)} orphaned files"
    )
    for problem in report.problems:
        typer.echo(f"  problem: {problem}")
    for orphan in orphans:
        typer.echo(f"  orphan: {orphan}")
    if orphans:
        typer.echo(
            f"remove the orphaned files with: genesis version clean -d {dataset} --repo {repo}",
            err=True,
        )
    if report.problems:
        raise fail(
            f"{len(report.problems)} data files of {dataset!r} are missing or damaged; restore "
            "them from a backup, or regenerate the affected versions"
        )


@version_app.command("clean")
@handles_errors
def version_clean(
    dataset: DatasetOption,
    repo: RepoOption = DEFAULT_REPO,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the orphaned files without removing them.")
    ] = False,
) -> None:
    """Remove the files of DATASET that no version references (left by interrupted commits)."""
    removed = _repository(repo, dataset).clean(dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for path in removed:
        typer.echo(f"  {path}")
    typer.echo(f"{verb} {len(removed)} orphaned files of {dataset!r}")


def register(app: typer.Typer) -> None:
    app.add_typer(version_app, name="version")
