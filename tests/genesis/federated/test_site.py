"""A data site answers with statistics, never rows; a small site refuses."""

from __future__ import annotations

import numpy as np
import pytest

from genesis.errors import InvalidParameterError, SiteTooSmallError
from genesis.federated import DataSite, SiteConfig
from genesis.federated.generator import message_bytes


def test_a_site_below_min_samples_refuses(table):
    site = DataSite("tiny", table.iloc[:50], SiteConfig("tiny", min_samples=100))
    with pytest.raises(SiteTooSmallError, match=r"site 'tiny' has 50 rows.*min_samples=100"):
        site.initialize()
    with pytest.raises(SiteTooSmallError):
        site.train_local()


def test_support_message_holds_labels_and_sketches_not_rows(table):
    site = DataSite("a", table)
    message = site.train_local()
    assert message["phase"] == "support" and message["n"] == len(table)
    assert sorted(message["columns"]["city"]["labels"]) == ["east", "north", "south"]
    assert len(message["columns"]["income"]["sketch"]) == 501
    # the same size whatever the number of rows: statistics, not rows
    bigger = DataSite("b", table.sample(3 * len(table), replace=True, random_state=0))
    ratio = message_bytes(bigger.train_local()) / message_bytes(message)
    assert ratio < 1.1


def test_no_row_crosses_in_any_round(table):
    from genesis.federated import ModelAggregator

    site = DataSite("a", table.iloc[:1_000])
    aggregator = ModelAggregator()
    aggregator.aggregate([site.train_local(aggregator.support_plan())])
    sizes = []
    for phase in ("marginals", "correlation"):
        plan = aggregator.round_plan(phase)
        message = site.train_local(plan)
        sizes.append(message["vector"].size)
        aggregator.aggregate([message])
    # a row of the table (all five values together) appears in no message
    rows = {tuple(r) for r in table.iloc[:1_000].astype(str).to_numpy()}
    vector_text = {str(v) for v in message["vector"]}
    assert not any(set(r) <= vector_text for r in rows)
    k = 6  # five columns and the site column
    assert sizes[1] == k * (k + 1) // 2 + k + 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weight": 0}, "weight must be a positive"),
        ({"privacy_budget": -1.0}, "privacy_budget must be a positive"),
        ({"min_samples": 1.5}, "min_samples must be an integer"),
    ],
)
def test_bad_site_configs(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        SiteConfig("a", **kwargs)


def test_site_names_and_columns_are_checked(table):
    with pytest.raises(InvalidParameterError, match="differs from its config"):
        DataSite("a", table, SiteConfig("b"))
    with pytest.raises(InvalidParameterError, match="rename that column"):
        DataSite("a", table.assign(site=1))
    site = DataSite("a", table)
    assert site.n_samples == len(table) and site.columns == list(table.columns)
    with pytest.raises(InvalidParameterError, match="method must be one of"):
        site.initialize("gan")
    assert np.isfinite(site.config.weight)
