"""A site's privacy ledger: its budget holds across runs, objects and processes."""

from __future__ import annotations

import json

import pytest

from genesis.errors import InvalidParameterError, PrivacyBudgetExceededError, PrivacyLedgerError
from genesis.federated import DataSite, FederatedGenerator, SecureAggregator, SiteConfig
from genesis.federated.ledger import PrivacyLedger


def _sites(table, folder, budget=1.5):
    size = len(table) // 3
    return [
        DataSite(
            f"s{i}",
            table.iloc[i * size : (i + 1) * size],
            SiteConfig(f"s{i}", 1.0, budget, seed=i, ledger_path=str(folder / f"s{i}.json")),
        )
        for i in range(3)
    ]


def _run(sites, epsilon=1.0):
    generator = FederatedGenerator(SecureAggregator(epsilon=epsilon))
    for site in sites:
        generator.add_site(site)
    return generator.train()


def test_a_second_run_past_the_budget_is_refused_by_a_fresh_site_object(table, tmp_path):
    result = _run(_sites(table, tmp_path))
    document = json.loads((tmp_path / "s0.json").read_text())
    assert document["site"] == "s0" and len(document["entries"]) == 1
    entry = document["entries"][0]
    assert entry["run_id"] == result.metadata["run_id"]
    assert entry["epsilon"] == 1.0 and entry["delta"] == 1e-5 and entry["time"].endswith("+00:00")
    # new objects (a restarted site) read the ledger: the second run would spend 2 > 1.5
    again = _sites(table, tmp_path)
    assert all(site.privacy_spent == 1.0 for site in again)
    with pytest.raises(
        PrivacyBudgetExceededError,
        match=r"spent epsilon=1 of its privacy_budget=1\.5.*0\.5 remaining",
    ):
        _run(again)
    # the refusal charged nothing, and a run that fits is still allowed
    assert len(json.loads((tmp_path / "s0.json").read_text())["entries"]) == 1
    _run(again, epsilon=0.5)
    assert all(site.privacy_spent == 1.5 for site in _sites(table, tmp_path))


def test_without_a_ledger_path_the_budget_holds_per_object_only(table, tmp_path):
    sites = [
        DataSite(s.name, table.iloc[:1000], SiteConfig(s.name, seed=1))
        for s in _sites(table, tmp_path)
    ]
    assert all(site.config.ledger_path is None for site in sites)
    _run(sites)
    assert not list(tmp_path.iterdir())
    with pytest.raises(PrivacyBudgetExceededError):
        _run(sites)


def test_runs_without_dp_are_not_charged(table, tmp_path):
    sites = _sites(table, tmp_path)
    generator = FederatedGenerator(SecureAggregator(epsilon=None))
    for site in sites:
        generator.add_site(site)
    generator.train()
    assert not (tmp_path / "s0.json").exists() and sites[0].privacy_spent == 0.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot be read"),
        ('{"site": "s0", "version": 1, "entries": [{"epsilon": -1}]}', "not a valid ledger"),
        ('{"site": "s0", "version": 1, "entries": {}}', "not a valid ledger"),
        ('{"site": "s0", "version": 7, "entries": []}', "not a valid ledger"),
        ('{"site": "other", "version": 1, "entries": []}', "belongs to site 'other'"),
    ],
)
def test_a_corrupt_ledger_is_an_error_never_a_reset(table, tmp_path, content, message):
    path = tmp_path / "s0.json"
    path.write_text(content)
    with pytest.raises(PrivacyLedgerError, match=message):
        DataSite("s0", table.iloc[:500], SiteConfig("s0", ledger_path=str(path)))
    assert path.read_text() == content  # untouched


def test_a_ledger_corrupted_between_runs_stops_the_next_run(table, tmp_path):
    sites = _sites(table, tmp_path, budget=5.0)
    _run(sites)
    (tmp_path / "s1.json").write_text("")
    with pytest.raises(PrivacyLedgerError, match="s1"):
        _run(sites)


def test_ledger_records_and_bad_paths(tmp_path):
    ledger = PrivacyLedger("a", tmp_path / "deep" / "a.json")
    ledger.record(0.25, 1e-6, "run-1")
    ledger.record(0.5, 1e-6, "run-2")
    assert PrivacyLedger("a", tmp_path / "deep" / "a.json").spent == 0.75
    assert [e["run_id"] for e in PrivacyLedger("a", tmp_path / "deep" / "a.json").entries] == [
        "run-1",
        "run-2",
    ]
    with pytest.raises(InvalidParameterError, match="ledger_path"):
        SiteConfig("a", ledger_path="")


@pytest.mark.slow  # two rounds of gRPC site processes; the ledger file itself is tested in process
def test_the_site_process_keeps_its_ledger_across_a_restart(table, tmp_path):
    from genesis.federated.transport import RemoteSite

    paths = {}
    for i in range(2):
        paths[f"r{i}"] = tmp_path / f"r{i}.csv"
        table.iloc[i * 1000 : (i + 1) * 1000].to_csv(paths[f"r{i}"], index=False)

    def remote_sites():
        return [
            RemoteSite(
                name,
                path,
                SiteConfig(name, privacy_budget=1.5, ledger_path=str(tmp_path / f"{name}.ledger")),
            )
            for name, path in paths.items()
        ]

    sites = remote_sites()
    try:
        _run(sites)
        assert [site.privacy_spent for site in sites] == [1.0, 1.0]
    finally:
        for site in sites:
            site.close()
    sites = remote_sites()  # new processes read the ledger the old ones wrote
    try:
        assert [site.privacy_spent for site in sites] == [1.0, 1.0]
        with pytest.raises(
            PrivacyBudgetExceededError, match=r"site 'r0' has spent epsilon=1.*0\.5 remaining"
        ):
            _run(sites)
    finally:
        for site in sites:
            site.close()
