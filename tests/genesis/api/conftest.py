"""Fixtures of the API tests: one Adult model materialized into a real Dagster instance per
session, and TestClients of apps over it (see ``project.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import dagster as dg
import pytest
from fastapi.testclient import TestClient

from tests.genesis.api.project import ApiProject, build_project

TOKEN = "token-one"
OTHER_TOKEN = "token-two"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OTHER_AUTH = {"Authorization": f"Bearer {OTHER_TOKEN}"}


@pytest.fixture(scope="session")
def api_project(tmp_path_factory, adult_df) -> ApiProject:
    """``adult`` materialized up to synthesis_model, ``pending`` configured only."""
    return build_project(tmp_path_factory.mktemp("api"), adult_df)


@pytest.fixture(scope="session")
def dagster_instance(api_project) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.from_config(str(api_project.home)) as instance:
        yield instance


@pytest.fixture(scope="session")
def locator(api_project, dagster_instance):
    """The Dagster instance's model store, as ``genesis serve`` wires it."""
    from genesis_assets.config import load_config
    from genesis_assets.model_store import DagsterModelStore

    return DagsterModelStore(load_config(api_project.config), dagster_instance)


@pytest.fixture
def make_client(api_project, locator, tmp_path) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: a TestClient of a fresh app (tokens TOKEN and
    OTHER_TOKEN unless ``tokens`` is given; a generous rate limit unless set)."""
    from genesis.api import ApiSettings, create_app

    clients = []

    def make(**overrides) -> TestClient:
        settings = {
            "tokens": (TOKEN, OTHER_TOKEN),
            "rate_per_second": 1000.0,
            "rate_burst": 1000.0,
            "jobs_dir": str(tmp_path / "jobs"),
            **overrides,
        }
        app = create_app(api_project.config, ApiSettings(**settings), locator=locator)
        client = TestClient(app)
        client.__enter__()  # runs the lifespan: the job pool stops at teardown
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
