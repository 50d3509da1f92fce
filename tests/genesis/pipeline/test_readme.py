"""The README's "Pipelines" section runs as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from genesis.pipeline import load_pipeline

ROOT = Path(__file__).resolve().parents[3]
DATA = "genesis_assets/data/adult_sample.csv"


def section_blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.split(r"\n#{2,3} ", text.split("### Pipelines\n", 1)[1], maxsplit=1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def project(tmp_path: Path) -> Path:
    (tmp_path / "genesis_assets" / "data").mkdir(parents=True)
    shutil.copy(ROOT / DATA, tmp_path / DATA)
    return tmp_path


def test_the_python_examples_run_as_written(tmp_path):
    blocks = section_blocks("python")
    assert len(blocks) == 2 and "to_dagster()" in blocks[1]
    folder = project(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(blocks)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "quality overall" in done.stdout  # the verdict line
    assert (folder / "out" / "adult_cart.parquet").is_file()
    assert (folder / "out" / "artifacts" / "pipelines" / "adult_demo" / "coarse.pkl").is_file()


def test_the_yaml_example_loads_and_runs(tmp_path):
    (block,) = section_blocks("yaml")
    folder = project(tmp_path) / "pipelines"
    folder.mkdir()
    (folder / "adult.yaml").write_text(block)
    pipeline = load_pipeline(folder / "adult.yaml")
    assert pipeline.order == ["load", "adults", "synth", "quality", "save"]
    result = pipeline.run()
    assert result["save"]["rows"] == 1000
    assert (folder / "out" / "adult_synthetic.csv").is_file()
