"""A federated dataset in ``genesis.yaml``: several sites, each keeping its own rows.

Instead of ``source:``, such a dataset names its sites and the federation's privacy::

    datasets:
      - name: clinics
        sites:                          # each site's table: path (relative to genesis.yaml) or URI
          - {name: north, source: data/north.csv}
          - {name: south, source: data/south.csv}
        federated: {epsilon: 1.0, delta: 1.0e-5, secure: true}
        target: income

Every site is one partition of the dataset's site assets (:mod:`genesis_assets.federated_assets`);
the synthesizer is the Gaussian copula built from the sites' aggregated statistics
(:mod:`genesis.federated`). Everything that can be checked without reading the tables is
checked when the file loads: fewer than two sites, a repeated or invalid site name, a missing
site file, epsilon <= 0, options of a single table.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from genesis.io.urls import is_url

if TYPE_CHECKING:
    from genesis_assets.config import DatasetConfig

#: options a federated dataset cannot take, with the reason
NOT_FEDERATED = {
    "source": "each site names its own 'source' under 'sites'",
    "tables": "several linked tables are not federated; use one or the other",
    "query": "give each site its own URL or file",
    "scenarios": "conditional scenarios are declared on a one-table dataset",
    "stream": "publishing to Kafka is declared on a one-table dataset",
    "privacy_retry": "the retry ladder refits one table's model",
}
#: the only method a federation aggregates exactly
FEDERATED_METHOD = "gaussian_copula"


class SiteSourceConfig(BaseModel):
    """One site of a federated dataset: its name (a partition key) and its table."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field(description="The site's name: letters, digits, '_' (a partition key).")
    source: str = Field(description="Path (relative to genesis.yaml) or URI of the site's table.")


class FederatedSettings(BaseModel):
    """How the sites' statistics are combined."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    epsilon: float | None = Field(
        None, description="Differential-privacy budget of a run (each site is charged it); "
        "empty: no noise (secure aggregation only).",
    )  # fmt: skip
    delta: float = Field(1e-5, description="The delta of (epsilon, delta)-DP, in (0, 1).")
    secure: bool = Field(
        True, description="Pairwise-masked sums: the aggregator sees only the sum of the sites."
    )
    min_samples: int = Field(100, ge=1, description="A site with fewer training rows refuses.")
    privacy_budget: float | None = Field(
        None,
        gt=0,
        description="Total epsilon each site lets runs spend on its rows, kept across runs in "
        "a privacy ledger per site (federation/<site>.ledger.json in the local artifact store); "
        "a run that would exceed it is refused. Empty: each run is bounded by epsilon alone.",
    )


def federated_problems(
    ds: DatasetConfig, base: Path, label: str
) -> tuple[list[str], list[SiteSourceConfig]]:
    """The problems of a federated dataset, and its sites with local sources made absolute."""
    problems: list[str] = []
    explicit = ds.model_fields_set
    for field, reason in NOT_FEDERATED.items():
        if field in explicit and getattr(ds, field) not in (None, {}, []):
            problems.append(f"{label}, field {field!r}: not available with 'sites' ({reason})")
    if "method" in explicit and ds.method not in ("auto", FEDERATED_METHOD):
        problems.append(
            f"{label}, field 'method': a federated dataset aggregates the Gaussian copula's "
            f"statistics; use {FEDERATED_METHOD!r} or omit it"
        )
    sites = list(ds.sites or [])
    if ds.sites is None:
        problems.append(f"{label}, field 'federated': needs 'sites: [{{name, source}}, ...]'")
    elif len(sites) < 2:
        problems.append(
            f"{label}, field 'sites': {len(sites)} site(s); a federation needs at least 2 "
            "(with one site, use 'source:' instead)"
        )
    settings = ds.federated or FederatedSettings()
    if settings.epsilon is not None and not (
        math.isfinite(settings.epsilon) and settings.epsilon > 0
    ):
        problems.append(
            f"{label}, field 'federated.epsilon': {settings.epsilon!r}; epsilon must be a "
            "positive number (e.g. 1.0), or omit it for no differential privacy"
        )
    if not 0 < settings.delta < 1:
        problems.append(
            f"{label}, field 'federated.delta': {settings.delta!r}; delta must be in (0, 1), "
            "e.g. 1e-5"
        )
    if settings.epsilon is not None and not settings.secure:
        problems.append(
            f"{label}, field 'federated.secure': the DP noise is added by the sites under "
            "secure aggregation; set secure: true or remove epsilon"
        )
    if ds.holdout_fraction == 0:
        problems.append(
            f"{label}, field 'holdout_fraction': each site's quality and privacy audit use its "
            "holdout, and the value is 0; set it (e.g. 0.2)"
        )
    names = [s.name for s in sites]
    resolved = []
    for site in sites:
        where = f"{label}, field 'sites', site {site.name!r}"
        if not site.name.replace("_", "a").isalnum() or site.name[:1].isdigit():
            problems.append(f"{where}: the name must start with a letter or '_' and hold only "
                            "letters, digits and '_'; rename it")  # fmt: skip
        if names.count(site.name) > 1:
            problems.append(f"{where}: the name is used by another site; name each site once")
        source = site.source
        if not is_url(source) or source.startswith("file://"):
            local = Path(source.removeprefix("file://")).expanduser()
            local = (local if local.is_absolute() else base / local).resolve()
            if not local.is_file():
                problems.append(
                    f"{where}: file {str(local)!r} does not exist; fix the path (relative "
                    "paths are read from the folder of genesis.yaml)"
                )
            source = str(local)
        resolved.append(site.model_copy(update={"source": source}))
    return problems, resolved
