"""The library's public surface: lazy top-level names, and no Dagster anywhere in it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import genesis

LIBRARY = Path(genesis.__file__).parent


def test_every_public_name_resolves():
    assert set(genesis.__all__) - {"__version__"} == set(genesis._LAZY_EXPORTS)
    for name in genesis._LAZY_EXPORTS:
        assert getattr(genesis, name).__name__ == name


def test_unknown_names_raise_attribute_error():
    try:
        genesis.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("genesis.no_such_name should not exist")


def test_importing_genesis_loads_no_heavy_library():
    code = (
        "import sys, genesis; "
        "print(','.join(m for m in ('pandas', 'torch', 'sklearn', 'dagster') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


def test_no_module_of_the_library_imports_dagster():
    offenders = []
    for path in LIBRARY.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(LIBRARY)}: {n}"
                for n in names
                if n.split(".")[0].startswith("dagster")
            ]
    assert offenders == []
