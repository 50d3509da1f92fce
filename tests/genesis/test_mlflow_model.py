"""genesis.mlflow_model: the pyfunc wrapper, and its missing-dependency message."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from genesis.errors import InvalidParameterError


def test_missing_mlflow_names_the_feature_once():
    # a stand-in 'mlflow' that cannot be imported, in a fresh interpreter
    code = (
        "import sys; sys.modules['mlflow'] = None\n"
        "try:\n"
        "    import genesis.mlflow_model\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, '|', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    kind, message = out.stdout.strip().split(" | ", 1)
    assert kind == "MissingDependencyError"
    assert message.startswith("logging and serving Genesis models with MLflow")
    assert message.count("mlflow-skinny") == 1  # the package named once, then the extra
    assert "pip install 'genesis-synth[mlflow]'" in message
    assert "'mlflow'" not in message


def test_rows_requested_reads_every_documented_form():
    from genesis.mlflow_model import rows_requested

    assert rows_requested(5) == 5
    assert rows_requested([7]) == 7
    assert rows_requested({"n": 3}) == 3
    assert rows_requested(pd.DataFrame({"n": [4]})) == 4
    for bad in (-1, "10", True, [1, 2], {"rows": 3}):
        with pytest.raises(InvalidParameterError, match="number of rows"):
            rows_requested(bad)
