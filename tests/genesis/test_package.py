"""The library's public surface and its packaging: lazy top-level names, no Dagster anywhere
in it, a light core, and extras that exist for every optional library a message names."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import genesis
from genesis.errors import EXTRAS

LIBRARY = Path(genesis.__file__).parent
ROOT = LIBRARY.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRA_NAMES = set(PYPROJECT["optional-dependencies"]) - {"dev", "bench"}
OPTIONAL = sorted(EXTRAS)  # import names of every optional library


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _extra_requirements(extra: str) -> set[str]:
    """Distribution names an extra installs, following ``genesis-synth[...]`` references."""
    names: set[str] = set()
    for requirement in PYPROJECT["optional-dependencies"][extra]:
        if _name(requirement) == "genesis-synth":
            for inner in re.search(r"\[(.*)\]", requirement).group(1).split(","):
                names |= _extra_requirements(inner.strip())
        else:
            names.add(_name(requirement))
    return names


def _distribution(import_name: str) -> str:
    return importlib.metadata.packages_distributions()[import_name][0].lower().replace("_", "-")


# --- the public surface --------------------------------------------------------------------


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
    heavy = ("pandas", "sklearn", *OPTIONAL)
    code = f"import sys, genesis; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
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


# --- dependencies and extras -------------------------------------------------------------


def test_the_core_holds_no_optional_library():
    core = {_name(r) for r in PYPROJECT["dependencies"]}
    optional = {_distribution(name) for name in OPTIONAL}
    assert core & optional == set()
    assert {"numpy", "pandas", "scikit-learn", "pyarrow", "typer"} <= core


def test_every_optional_library_is_installed_by_the_extra_its_message_names():
    for import_name, extra in EXTRAS.items():
        assert extra in EXTRA_NAMES, f"{import_name}: extra [{extra}] is not in pyproject.toml"
        assert _distribution(import_name) in _extra_requirements(extra), (import_name, extra)


def test_all_installs_every_extra_and_the_makefile_installs_all():
    everything = set().union(*(_extra_requirements(e) for e in EXTRA_NAMES - {"all"}))
    assert _extra_requirements("all") == everything
    makefile = (ROOT / "Makefile").read_text()
    torch_first = makefile.index("$(TORCH_PIN)\n\t$(BIN)/python -m pip install --quiet -e")
    assert '-e ".[all,dev]"' in makefile[torch_first:]


def _missing_dependency_calls() -> list[tuple[str, list[ast.expr], dict[str, ast.expr]]]:
    calls = []
    for package in ("genesis", "genesis_assets", "genesis_resources"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None))
                    == "missing_dependency"
                ):
                    keywords = {k.arg: k.value for k in node.keywords}
                    calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.args, keywords))
    return calls


def test_every_missing_dependency_call_names_a_real_extra_and_a_feature():
    core = {_name(r) for r in PYPROJECT["dependencies"]}
    distributions = {_name(r) for e in EXTRA_NAMES for r in _extra_requirements(e)} | core
    calls = _missing_dependency_calls()
    assert len(calls) >= 5
    for where, args, keywords in calls:
        package = args[0].value if isinstance(args[0], ast.Constant) else None
        feature = args[1] if len(args) > 1 else keywords.get("feature")
        if isinstance(feature, ast.Constant):  # a feature in words, not a package's name
            assert _name(feature.value) not in distributions, f"{where}: {feature.value!r}"
        if package is None:  # computed at run time: the EXTRAS lookup covers it
            continue
        extra = keywords.get("extra")
        extra = extra.value if isinstance(extra, ast.Constant) else EXTRAS.get(package)
        if extra is None:
            assert _distribution(package) in core, f"{where}: {package} has no extra"
        else:
            assert extra in EXTRA_NAMES, f"{where}: [{extra}] is not an extra"


LIGHT_CORE = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Absent())
import pandas as pd
import genesis
from genesis.errors import MissingDependencyError

real = pd.read_csv(sys.argv[2], skipinitialspace=True).sample(600, random_state=0)
real, holdout = real.iloc[:400].reset_index(drop=True), real.iloc[400:].reset_index(drop=True)
genesis.infer_schema(real)
for method in ("cart", "gaussian_copula"):
    synthetic = genesis.SyntheticGenerator(method, seed=0).fit(real).generate(300)
    assert synthetic.shape == (300, real.shape[1])
genesis.QualityEvaluator(real, synthetic, target="income").evaluate()
genesis.PrivacyAttackTester(["income"], ["age", "sex"]).run_all_attacks(real, synthetic, holdout)
genesis.DriftDetector().detect(real, holdout)
for attempt in (
    lambda: genesis.SyntheticGenerator("ctgan", seed=0).fit(real),
    lambda: genesis.DatasetRepository.init(sys.argv[3], name="adult"),
):
    try:
        attempt()
    except MissingDependencyError as exc:
        print("MISSING", exc)
loaded = [m for m in BLOCKED if m in sys.modules]
print("LOADED", loaded)
"""


def test_the_core_stages_run_without_any_extra(datasets_dir, tmp_path):
    blocked = ",".join(OPTIONAL)
    out = subprocess.run(
        [sys.executable, "-c", LIGHT_CORE, blocked, str(datasets_dir / "adult.csv"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    missing = [line for line in out.stdout.splitlines() if line.startswith("MISSING")]
    assert len(missing) == 2, out.stdout
    assert "genesis-synth[neural]" in missing[0]
    assert "genesis-synth[iceberg]" in missing[1]
    assert "LOADED []" in out.stdout


def test_install_hints_come_from_one_helper():
    """Product code names no ``pip install`` of its own: ``missing_dependency`` builds every
    hint, so each names the extra that pyproject.toml really defines."""
    offenders = []
    for package in ("genesis", "genesis_assets", "genesis_resources"):
        for path in (ROOT / package).rglob("*.py"):
            if path.relative_to(ROOT).as_posix() == "genesis/errors.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "pip install" in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
