"""The chain of a federated dataset (``sites:`` in ``genesis.yaml``): sites keep their rows.

| asset | partitioned | what it holds |
|---|---|---|
| ``site_support`` | by site | the site's support message: label sets, coarse ranges (and its public masking key) |
| ``marginals_plan`` | no | the agreed support, and the plan of the marginals round |
| ``site_marginals`` | by site | the site's marginal histograms on the agreed grid (masked, noised) |
| ``correlation_plan`` | no | the agreed marginals, and the plan of the correlation round |
| ``site_statistics`` | by site | the site's normal-score sums under the agreed marginals (masked, noised) |
| ``synthesis_model`` | no | the Gaussian copula from the sums (owner-only) |
| ``synthetic_dataset``, ``site_quality``, ``site_privacy``, ``federated_dashboard`` | see :mod:`genesis_assets.federated_review_assets` |

Why one partitioned asset per round: the copula's statistics need three exchanges, each
depending on the *sum* of the previous one (the marginals' grid on the agreed support, the
normal scores on the agreed marginals). A site partition is the only step that reads the
site's rows (:func:`~genesis_assets.federated_sites.site_rows`); it answers the plan an
unpartitioned asset stored and writes back only its message. The unpartitioned assets read
messages, never rows: each replays the rounds so far from the stored messages with the
library's aggregator (:class:`~genesis.federated.SecureAggregator` or
:class:`~genesis.federated.ModelAggregator`), so no aggregator state is kept between steps.
With ``secure: true`` each site draws a fresh private secret per session (owner-only, in the
artifact store, read back only by that site's later partitions), derives its masking key
pair from it and sends only masked, clipped, noised vectors: the sum is all the aggregator
learns. The asset metadata holds sizes and names, never statistics or rows.
"""

import dagster as dg

from genesis_assets.config import DatasetConfig
from genesis_assets.federated_sites import (
    ROUNDS,
    local_site,
    new_secret,
    read_message,
    settings,
    site_rows,
    write_message,
)
from genesis_assets.source_assets import PRIVATE
from genesis_resources import ArtifactStore

#: the site asset answering each round, and the plan asset the round's answers feed
SITE_STAGES = {"support": "site_support", "marginals": "site_marginals",
               "correlation": "site_statistics"}  # fmt: skip
PLAN_STAGES = {"marginals": "marginals_plan", "correlation": "correlation_plan"}
#: every federated asset carries it: ``materialize_all`` and ``nightly_refresh`` leave them
#: out (a run cannot hold several sites' partitions); refresh a federated dataset with a
#: backfill of its group over all partitions, which runs each round's partitions before the
#: plan that sums them
FEDERATED_TAGS = {"genesis/federated": "true"}


def site_names(ds: DatasetConfig) -> list[str]:
    return [s.name for s in ds.sites or []]


def site_partitions(ds: DatasetConfig) -> dg.StaticPartitionsDefinition:
    """One partition per site."""
    return dg.StaticPartitionsDefinition(site_names(ds))


def make_aggregator(ds: DatasetConfig):
    """The library aggregator the dataset's ``federated`` settings describe."""
    from genesis.federated import ModelAggregator, SecureAggregator

    cfg = settings(ds)
    if cfg.secure:
        return SecureAggregator(epsilon=cfg.epsilon, delta=cfg.delta, seed=ds.seed)
    return ModelAggregator(seed=ds.seed)


def replay(store: ArtifactStore, ds: DatasetConfig, rounds: int):
    """The aggregator after the first ``rounds`` rounds, rebuilt from the stored messages
    of every site; returns ``(aggregator, last AggregatedModel, the support messages)``.

    Raises:
        FederatedError: a site has not answered one of those rounds (its partition of the
            round's site asset was not materialized).
    """
    from genesis.errors import FederatedError

    def messages(phase: str) -> dict:
        missing = [s for s in names if not store.exists(ds.name, f"federation/{phase}/{s}.json")]
        if missing:
            raise FederatedError(
                f"dataset {ds.name!r}: site(s) {missing} have not answered the {phase} round; "
                f"materialize {ds.name}/{SITE_STAGES[phase]} for those partitions first (a "
                "backfill of the group over all partitions runs every site)"
            )
        return {s: read_message(store, ds, f"{phase}/{s}") for s in names}

    agg = make_aggregator(ds)
    names = site_names(ds)
    support = messages("support")
    if agg.secure:
        agg.open_session({s: support[s]["public_key"] for s in names}, max_weight=1.0)
    agg.support_plan()
    result = agg.aggregate([support[s]["message"] for s in names])
    for phase in ROUNDS[1:rounds]:
        result = agg.aggregate(list(messages(phase).values()))
    return agg, result, support


def build_federated_assets(ds: DatasetConfig) -> list[dg.AssetsDefinition]:
    """The site rounds, the plans between them, and the model of a federated dataset."""
    prefix = [ds.name]
    partitions = site_partitions(ds)
    version = ds.version_of("sites", "federated", "seed", "holdout_fraction", "read_options")

    def site_asset(phase: str, upstream: str | None):
        stage = SITE_STAGES[phase]

        @dg.asset(
            key=[*prefix, stage],
            group_name=ds.name,
            tags=FEDERATED_TAGS,
            partitions_def=partitions,
            deps=[dg.AssetKey([*prefix, upstream])] if upstream else None,
            code_version=version,
            description=f"Each site's answer to the {phase} round, computed inside the site's "
            "partition from its own training rows: statistics only (masked and noised when "
            "secure), never rows.",
        )
        def _site(context: dg.AssetExecutionContext, artifact_store: ArtifactStore):
            site = context.partition_key
            training, _ = site_rows(ds, site)
            if phase == "support":
                secret = new_secret(artifact_store, ds, site)  # a fresh session
                node, key = local_site(artifact_store, ds, site, training, secret=secret)
                aggregator = make_aggregator(ds)
                cost = aggregator.epsilon_cost()
                node.authorize(cost)  # before any statistic leaves
                plan = aggregator.support_plan()
                message = {"message": node.train_local(plan), "public_key": key}
                # charged once the site's first statistics exist: later rounds of the session
                # are covered by the same epsilon, and a run that fails after has spent it
                node.charge(cost, delta=settings(ds).delta, run_id=context.run_id)
            else:
                stored = read_message(artifact_store, ds, PLAN_STAGES[phase])
                node, _ = local_site(artifact_store, ds, site, training, keys=stored.get("keys"))
                message = node.train_local(stored["plan"])
            size = write_message(artifact_store, ds, f"{phase}/{site}", message)
            return dg.MaterializeResult(
                metadata={
                    "site": site,
                    "phase": phase,
                    "bytes": size,
                    "secure": settings(ds).secure,
                }  # fmt: skip
            )

        _site.__name__ = stage
        return _site

    def plan_asset(phase: str):
        stage = PLAN_STAGES[phase]
        done = ROUNDS.index(phase)

        @dg.asset(
            key=[*prefix, stage],
            group_name=ds.name,
            tags=FEDERATED_TAGS,
            deps=[dg.AssetKey([*prefix, SITE_STAGES[ROUNDS[done - 1]]])],
            code_version=version,
            description=f"The sum of every site's {ROUNDS[done - 1]} answers and the plan of "
            f"the {phase} round (read from the sites' messages, never their rows).",
        )
        def _plan(artifact_store: ArtifactStore):
            agg, _, support = replay(artifact_store, ds, done)
            keys = {s: m["public_key"] for s, m in support.items()} if agg.secure else None
            size = write_message(
                artifact_store, ds, stage, {"plan": agg.round_plan(phase), "keys": keys}
            )
            return dg.MaterializeResult(
                metadata={"phase": phase, "sites": len(support), "bytes": size}
            )

        _plan.__name__ = stage
        return _plan

    @dg.asset(
        key=[*prefix, "synthesis_model"],
        group_name=ds.name,
        tags=FEDERATED_TAGS,
        deps=[dg.AssetKey([*prefix, SITE_STAGES["correlation"]])],
        code_version=version,
        metadata=PRIVATE,
        description="The Gaussian copula built from the aggregate of every site's statistics "
        "(three rounds; with epsilon, (epsilon, delta)-DP accounted by OpenDP).",
    )
    def synthesis_model(artifact_store: ArtifactStore) -> dg.Output:
        _, result, _ = replay(artifact_store, ds, len(ROUNDS))
        dp = result.metadata.get("differential_privacy")
        write_message(artifact_store, ds, "model", {"total_samples": int(result.total_samples)})
        return dg.Output(
            result.parameters["model"],
            metadata={
                "sites": result.n_sites,
                "total_samples": int(result.total_samples),
                "rounds": len(ROUNDS),
                "secure": bool(result.metadata.get("secure")),
                "epsilon": None if not dp else float(dp["epsilon"]),
                "delta": None if not dp else float(dp["delta"]),
            },
        )

    return [
        site_asset("support", None),
        plan_asset("marginals"),
        site_asset("marginals", PLAN_STAGES["marginals"]),
        plan_asset("correlation"),
        site_asset("correlation", PLAN_STAGES["correlation"]),
        synthesis_model,
    ]
