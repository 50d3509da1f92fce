"""privacy_retry in genesis.yaml: a model that fails the audit is refitted more privately,
every attempt recorded; none passing fails the stage and lists them."""

from __future__ import annotations

import dagster as dg
import pytest

from genesis.errors import ConfigError
from genesis_assets.config import load_config
from tests.genesis_assets.project import adult_entry, materialize, metadata_of, write_project

MODEL = "*adult/synthesis_model"  # with everything upstream
# CART with one row per leaf copies training rows: the audit's copy check fails it
COPYING = {"method": "cart", "method_params": {"min_samples_leaf": 1}}


def test_a_failing_model_is_refitted_until_the_audit_passes(tmp_path, small_adult):
    config = write_project(
        tmp_path, small_adult, adult_entry(**COPYING, privacy_retry={"max_attempts": 4})
    )
    result = materialize(config, selection=MODEL)
    meta = metadata_of(result, "synthesis_model")
    retry = meta["privacy_retry"]
    assert retry["passed"] and len(retry["attempts"]) == meta["privacy_attempts"] >= 2
    first, chosen = retry["attempts"][0], retry["attempts"][-1]
    assert first["params"]["min_samples_leaf"] == 1 and not first["passed"]
    assert chosen["passed"] and meta["method"] == chosen["method"]


def test_no_passing_attempt_fails_the_stage_and_lists_the_attempts(tmp_path, small_adult):
    config = write_project(
        tmp_path, small_adult, adult_entry(**COPYING, privacy_retry={"max_attempts": 1})
    )
    result = materialize(config, selection=MODEL, raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    error = failure.step_failure_data.user_failure_data
    assert error.metadata["privacy_retry"].value["passed"] is False
    assert "privacy" in (error.description or "").lower()


def test_privacy_retry_needs_a_holdout(tmp_path, small_adult):
    config = write_project(
        tmp_path, small_adult, adult_entry(holdout_fraction=0.0, privacy_retry={})
    )
    with pytest.raises(ConfigError, match="holdout_fraction"):
        load_config(config)
