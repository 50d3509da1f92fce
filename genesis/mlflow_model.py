"""Genesis models as MLflow pyfunc models: ``predict(n)`` returns ``n`` synthetic rows.

MLflow takes about two seconds to import, so this module is imported only when a model is
logged or loaded; nothing else in :mod:`genesis` imports it.

Example::

    import mlflow
    model = mlflow.pyfunc.load_model("models:/genesis-adult/1")
    rows = model.predict(1000)                       # 1,000 rows, the model's seed
    rows = model.predict({"n": 1000, "seed": 7})     # another draw
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genesis.errors import InvalidParameterError, missing_dependency

try:
    import mlflow
    import mlflow.pyfunc
except ImportError:  # pragma: no cover - mlflow-skinny is a core dependency
    raise missing_dependency(
        "mlflow-skinny",
        "logging and serving Genesis models with MLflow (genesis.mlflow_model)",
        extra="mlflow",
    ) from None

#: name of the saved Genesis model among the pyfunc model's artifacts
ARTIFACT_KEY = "synthesizer"


def rows_requested(model_input: Any) -> int:
    """The row count in a pyfunc input: an int, ``[n]``, ``{"n": n}`` or a one-cell DataFrame."""
    value = model_input
    if isinstance(value, pd.DataFrame):
        if value.shape != (1, 1) and "n" not in value.columns:
            raise InvalidParameterError(
                "pass the number of rows as an int, or a DataFrame with one cell or an 'n' column; "
                f"got a DataFrame of shape {value.shape}"
            )
        value = value["n"].iloc[0] if "n" in value.columns else value.iloc[0, 0]
    elif isinstance(value, dict):
        value = value.get("n")
    elif isinstance(value, list | tuple | np.ndarray | pd.Series):
        flat = np.asarray(value).ravel()
        value = flat[0] if flat.size == 1 else None
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) or value < 0:
        raise InvalidParameterError(
            f"predict takes the number of rows to generate (an integer >= 0), got {model_input!r}; "
            "call e.g. model.predict(1000)"
        )
    return int(value)


with warnings.catch_warnings():
    # MLflow suggests type hints for input validation; the input here is a row count
    warnings.simplefilter("ignore", UserWarning)

    class GenesisSynthesizerModel(mlflow.pyfunc.PythonModel):
        """A saved Genesis model served through MLflow: ``predict(n)`` -> ``n`` synthetic rows.

        ``predict({"n": n, "seed": s})`` draws with another seed (default: the model's own).
        """

        def load_context(self, context) -> None:
            from genesis.generators import SyntheticGenerator

            self.generator = SyntheticGenerator.load(context.artifacts[ARTIFACT_KEY])

        def predict(self, context, model_input, params=None) -> pd.DataFrame:
            seed = (params or {}).get("seed")
            if isinstance(model_input, dict) and model_input.get("seed") is not None:
                seed = model_input["seed"]
            return self.generator.generate(
                rows_requested(model_input), seed=None if seed is None else int(seed)
            )


def log_synthesizer(
    model: Any,
    *,
    registered_model_name: str | None = None,
    name: str = "model",
) -> Any:
    """Log a fitted Genesis model (anything with ``save``/``generate``) to the active run.

    Args:
        model: the fitted model, e.g. a :class:`~genesis.generators.SyntheticGenerator`.
        registered_model_name: when given, register it in the model registry under this name
            (a new version each call).
        name: the model's name within the run.

    Returns:
        MLflow's ``ModelInfo`` (``model_uri``, ``registered_model_version`` ...).
    """
    if not (callable(getattr(model, "save", None)) and callable(getattr(model, "generate", None))):
        raise InvalidParameterError(
            f"expected a fitted Genesis model with save() and generate(), got {type(model).__name__}"
        )
    # MLflow copies artifacts from files: the one place a model goes through a temporary folder
    with tempfile.TemporaryDirectory(prefix="genesis-mlflow-") as tmp:
        path = Path(tmp) / "model.genesis"
        model.save(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return mlflow.pyfunc.log_model(
                name=name,
                python_model=GenesisSynthesizerModel(),
                artifacts={ARTIFACT_KEY: os.fspath(path)},
                registered_model_name=registered_model_name,
                pip_requirements=_requirements(),
            )


def _requirements() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for package in ("genesis-synth", "pandas", "numpy", "scikit-learn", "torch", "ctgan"):
        try:
            out.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            continue
    return out


__all__ = ["ARTIFACT_KEY", "GenesisSynthesizerModel", "log_synthesizer", "rows_requested"]
