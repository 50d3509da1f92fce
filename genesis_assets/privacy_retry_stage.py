"""The Dagster side of ``privacy_retry`` (opt-in in ``genesis.yaml``): a model that fails the
privacy audit is refitted with the next stronger setting, each attempt audited against the
holdout and recorded in ``synthesis_model``'s metadata (and, through it, the lineage the
``release`` asset writes). The ladder itself is the library's
(:mod:`genesis.privacy_attacks.retry`); this module only configures it and reports.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from genesis.schema.types import Schema
from genesis_assets.config import DatasetConfig

#: metadata key of ``synthesis_model`` holding every attempt (``PrivacyRetryResult.to_dict()``)
ATTEMPTS = "privacy_retry"


def audit_for(ds: DatasetConfig, schema: Schema):
    """The privacy audit each attempt must pass: the dataset's columns and risk limit."""
    from genesis.privacy_attacks import PrivacyAttackTester

    return PrivacyAttackTester(
        sensitive_columns=list(ds.sensitive_columns),
        quasi_identifiers=list(ds.quasi_identifiers),
        max_risk_level=ds.privacy_max_risk,
        seed=ds.seed,
        schema=schema,
    )


def automl_retry(ds: DatasetConfig, schema: Schema) -> Any:
    """``AutoMLSynthesizer(privacy_retry=...)`` for ``method: auto``: the registered winner is
    then the audited model."""
    from genesis.privacy_attacks.retry import PrivacyRetry

    config = ds.privacy_retry
    return PrivacyRetry(
        max_attempts=config.max_attempts, epsilon=config.epsilon, tester=audit_for(ds, schema)
    )


def fit_private(
    ds: DatasetConfig,
    training_data: pd.DataFrame,
    holdout_data: pd.DataFrame,
    schema: Schema,
    params: dict[str, Any],
) -> tuple[Any, dict[str, Any]]:
    """Fit ``ds.method`` with ``params`` and climb the ladder until the audit passes.

    Returns the model and its metadata; raises :class:`dagster.Failure` listing every
    attempt when none passes.
    """
    from genesis.errors import PrivacyRetryError
    from genesis.privacy_attacks.retry import fit_until_private

    config = ds.privacy_retry
    try:
        model, result = fit_until_private(
            training_data, holdout_data, tester=audit_for(ds, schema), start=(ds.method, params),
            max_attempts=config.max_attempts, seed=ds.seed, schema=schema,
            epsilon=config.epsilon,
        )  # fmt: skip
    except PrivacyRetryError as exc:
        raise dg.Failure(
            description=f"{ds.name}: {exc}",
            metadata={ATTEMPTS: dg.MetadataValue.json(exc.result.to_dict())},
        ) from exc
    return model, attempts_metadata(result)


def attempts_metadata(result: Any) -> dict[str, Any]:
    """What a person reads about the retry: the attempts, and the setting that passed."""
    chosen = result.selected
    return {
        ATTEMPTS: dg.MetadataValue.json(result.to_dict()),
        "privacy_attempts": len(result.attempts),
        "method": str(chosen.method),
        "params": dg.MetadataValue.json(dict(chosen.params)),
    }
