"""The ``pipelines:`` section of ``genesis.yaml``: YAML pipelines compiled beside the datasets.

::

    pipelines:
      - pipelines/adult_pipeline.yaml   # relative to genesis.yaml

Each file is loaded with :func:`genesis.pipeline.load_pipeline` when the configuration is
loaded, so a broken pipeline stops the code location with a message naming the file, the
line and the key.
"""

from __future__ import annotations

from pathlib import Path

from genesis.errors import GenesisError


def pipeline_problems(
    files: list[str], base: Path, dataset_names: list[str]
) -> tuple[list[str], list[str]]:
    """Check the pipeline files; return the problems and the files as absolute paths."""
    from genesis.pipeline import load_pipeline

    problems: list[str] = []
    resolved: list[str] = []
    names: dict[str, str] = {}
    for entry in files:
        local = Path(entry).expanduser()
        path = (local if local.is_absolute() else base / local).resolve()
        resolved.append(str(path))
        label = f"pipelines, file {entry!r}"
        if not path.is_file():
            problems.append(
                f"{label} does not exist; fix the path (relative paths are read from the "
                "folder of genesis.yaml)"
            )
            continue
        try:
            pipeline = load_pipeline(path)
        except GenesisError as exc:
            problems.append(f"{label}: {exc}")
            continue
        if pipeline.name in dataset_names:
            problems.append(
                f"{label}: the pipeline name {pipeline.name!r} is also a dataset's name, and "
                "both would use it as asset key prefix; rename the pipeline"
            )
        elif pipeline.name in names:
            problems.append(
                f"{label}: the pipeline name {pipeline.name!r} is used by {names[pipeline.name]!r} "
                "too; give each pipeline a unique name"
            )
        names.setdefault(pipeline.name, entry)
    return problems, resolved
