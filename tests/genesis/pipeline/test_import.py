"""The library side of the pipeline never imports dagster; only to_dagster() does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CODE = """
import sys
import pandas as pd
from genesis.pipeline import PipelineBuilder
pipeline = (
    PipelineBuilder("p").source("load", frame=pd.DataFrame({"x": [1, 2, 3]}))
    .transform("t", op="dropna").build()
)
pipeline.run()
print("before", sorted(m for m in sys.modules if m.split(".")[0] in ("dagster", "genesis_assets")))
pipeline.to_dagster()
print("after", "dagster" in sys.modules, "genesis_assets.pipeline_assets" in sys.modules)
"""


def test_building_and_running_a_pipeline_imports_no_dagster():
    done = subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "before []" in lines
    assert "after True True" in lines  # the one bridge, imported when called
