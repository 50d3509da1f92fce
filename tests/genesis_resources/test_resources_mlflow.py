"""MLflowResource: embedded SQLite default, configured URIs, nested trial runs, registration."""

from __future__ import annotations

import pandas as pd
import pytest

from genesis_resources import MLflowResource


def test_default_is_sqlite_in_the_local_folder(tmp_path):
    resource = MLflowResource(local_dir=str(tmp_path / ".genesis"))
    assert resource.resolved_tracking_uri() == f"sqlite:///{tmp_path / '.genesis' / 'mlflow.db'}"
    assert resource.resolved_registry_uri() == resource.resolved_tracking_uri()
    assert resource.artifact_location() == (tmp_path / ".genesis" / "mlartifacts").as_uri()
    assert resource.registered_model_name("adult") == "genesis-adult"


def test_an_embedded_store_is_not_exported_to_the_next_project(tmp_path, monkeypatch):
    import os

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    first = MLflowResource(local_dir=str(tmp_path / "first"), experiment_name="unit")
    with first.start_run("toy"):
        pass
    # mlflow.set_tracking_uri exports the variable; left set, it would read as a server the
    # user configured and send every later project to the first one's store
    assert "MLFLOW_TRACKING_URI" not in os.environ
    assert "MLFLOW_REGISTRY_URI" not in os.environ
    import mlflow

    assert mlflow.get_tracking_uri() == first.resolved_tracking_uri()  # in-process use is kept


def test_configured_server_uri_wins():
    resource = MLflowResource(
        tracking_uri="http://mlflow:5000", registry_uri="http://registry:5000"
    )
    assert resource.resolved_tracking_uri() == "http://mlflow:5000"
    assert resource.resolved_registry_uri() == "http://registry:5000"
    assert resource.artifact_location() is None  # the server decides


def test_runs_trials_and_registered_model(tmp_path, adult_df):
    import mlflow

    from genesis.generators import SyntheticGenerator

    resource = MLflowResource(local_dir=str(tmp_path), experiment_name="unit")
    model = SyntheticGenerator("gaussian_copula").fit(adult_df.head(300))
    with resource.start_run("toy") as tracker:
        tracker.log_trial(
            {
                "trial": 0,
                "method": "cart",
                "params": {"min_samples_leaf": 5},
                "status": "ok",
                "score": 0.9,
                "fit_seconds": 0.5,
                "quality_score": float("nan"),
            }
        )
        tracker.log_trial(
            {
                "trial": 1,
                "method": "tvae",
                "params": {},
                "status": "skipped",
                "reason": "skipped: needs 30 s",
                "score": float("nan"),
            }
        )
        resource.log_metrics({"best_score": 0.9, "flag": True, "bad": float("inf")})
        version = tracker.log_model(model)
    assert version == 1
    client = mlflow.MlflowClient(resource.resolved_tracking_uri(), resource.resolved_registry_uri())
    parent = client.get_run(tracker.parent_run_id)
    assert parent.info.status == "FINISHED" and parent.data.metrics == {"best_score": 0.9}
    assert len(tracker.trial_run_ids) == 2
    skipped = client.get_run(tracker.trial_run_ids[1])
    assert skipped.data.tags["genesis.status"] == "skipped"
    assert skipped.data.tags["mlflow.parentRunId"] == tracker.parent_run_id
    assert "quality_score" not in client.get_run(tracker.trial_run_ids[0]).data.metrics
    loaded = mlflow.pyfunc.load_model("models:/genesis-toy/1")
    rows = loaded.predict(5)
    assert list(rows.columns) == list(adult_df.columns) and len(rows) == 5
    pd.testing.assert_frame_equal(rows, model.generate(5))
    assert not rows.equals(loaded.predict({"n": 5, "seed": 3}))
    from genesis.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="number of rows"):
        loaded.predict(-1)


def test_a_failing_block_marks_the_run_failed(tmp_path):
    import mlflow

    resource = MLflowResource(local_dir=str(tmp_path))
    with pytest.raises(RuntimeError), resource.start_run("toy") as tracker:
        raise RuntimeError("boom")
    client = mlflow.MlflowClient(resource.resolved_tracking_uri())
    assert client.get_run(tracker.parent_run_id).info.status == "FAILED"
