"""``genesis serve``: the REST API over a real Dagster instance, in a subprocess on a free
loopback port; the loopback rule without tokens; a taken port."""

from __future__ import annotations

import httpx
import pytest

from tests.genesis.api.project import build_project, free_port, start_server, stop_server


@pytest.fixture(scope="module")
def project(tmp_path_factory, adult_df):
    return build_project(tmp_path_factory.mktemp("serve"), adult_df)


def test_serve_answers_from_the_instance_and_stops_cleanly(project):
    process, url = start_server(project, env={"GENESIS_API_TOKENS": "cli-token"})
    try:
        headers = {"Authorization": "Bearer cli-token"}
        with httpx.Client(base_url=url, timeout=30) as http:
            assert http.get("/v1/datasets").status_code == 401
            datasets = http.get("/v1/datasets", headers=headers).json()["datasets"]
            adult = next(d for d in datasets if d["name"] == "adult")
            assert adult["model"]["source"] == "dagster"  # found through DAGSTER_HOME
            answer = http.post(
                "/v1/generate/natural-language",
                json={"prompt": "50 women over 40", "dataset": "adult"},
                headers=headers,
            )
            assert answer.status_code == 200 and len(answer.json()["data"]) == 50
    finally:
        status, stderr = stop_server(process)
    assert status == 0, stderr
    assert "1 token(s)" in stderr and "Finished server process" in stderr
    assert "cli-token" not in stderr  # the token is never printed
    assert "Traceback" not in stderr


def test_without_dagster_home_the_model_files_are_served(project):
    process, url = start_server(project, env={"DAGSTER_HOME": ""})
    try:
        datasets = httpx.get(f"{url}/v1/datasets", timeout=30).json()["datasets"]
        assert datasets[0]["model"]["source"] == "file"
    finally:
        status, stderr = stop_server(process)
    assert status == 0 and "DAGSTER_HOME is not set" in stderr


def test_no_token_refuses_every_address_but_loopback(invoke, error_line, project, monkeypatch):
    monkeypatch.delenv("GENESIS_API_TOKENS", raising=False)
    result = invoke(["serve", "--config", project.config, "--host", "0.0.0.0"])
    assert result.exit_code == 1
    line = error_line(result)
    assert "refusing to listen on '0.0.0.0'" in line and "GENESIS_API_TOKENS" in line


def test_a_taken_port_is_reported_with_the_fix(invoke, error_line, project):
    import socket

    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = invoke(["serve", "--config", project.config, "--port", port])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in error_line(result)
    assert "--port" in error_line(result)


def test_a_missing_configuration_is_reported(invoke, error_line, tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    result = invoke(["serve", "--config", tmp_path / "none.yaml", "--port", free_port()])
    assert result.exit_code == 1
    assert "does not exist" in error_line(result)


def test_serve_is_listed_in_help(invoke):
    result = invoke(["serve", "--help"])
    assert result.exit_code == 0
    assert "--config" in result.output and "GENESIS_API_TOKENS" in result.output
