"""The app behind a real uvicorn server on a free loopback port (started and stopped by the
fixture): authentication, a streamed response, concurrent clients, a job, clean shutdown."""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pandas as pd
import pytest

from tests.genesis.api.conftest import AUTH, TOKEN
from tests.genesis.api.project import free_port


@pytest.fixture
def live_server(api_project, locator, tmp_path):
    import uvicorn

    from genesis.api import ApiSettings, create_app

    settings = ApiSettings(tokens=(TOKEN,), stream_chunk_rows=1_000, jobs_dir=str(tmp_path))
    app = create_app(api_project.config, settings, locator=locator)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)
    assert not thread.is_alive(), "uvicorn did not stop"


def test_a_real_server_answers_streams_and_stops(live_server):
    with httpx.Client(base_url=live_server, timeout=30) as http:
        assert http.get("/v1/health").json()["status"] == "ok"
        assert http.get("/v1/datasets").status_code == 401
        with http.stream(
            "POST", "/v1/generate", headers=AUTH,
            json={"dataset": "adult", "n": 5_000, "format": "jsonl", "seed": 2},
        ) as response:  # fmt: skip
            assert response.status_code == 200
            assert response.headers.get("transfer-encoding") == "chunked"
            text = "".join(response.iter_text())
        rows = pd.read_json(io.StringIO(text), lines=True)
        assert len(rows) == 5_000
        answer = http.post(
            "/v1/generate/natural-language", headers=AUTH,
            json={"prompt": "1000 people over 30", "dataset": "adult"},
        )  # fmt: skip
        assert answer.status_code == 200 and len(answer.json()["data"]) == 1_000


def test_concurrent_clients_all_get_answers(live_server):
    def ask(i: int) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            body = {"dataset": "adult", "n": 200, "seed": i, "conditions": {"sex": "Male"}}
            return http.post("/v1/generate", json=body, headers=AUTH).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(ask, range(16))) == [200] * 16


def test_a_job_through_the_real_server(live_server):
    with httpx.Client(base_url=live_server, timeout=30, headers=AUTH) as http:
        job = http.post("/v1/jobs", json={"dataset": "adult", "n": 3_000}).json()
        deadline = time.monotonic() + 60
        while (status := http.get(f"/v1/jobs/{job['id']}").json())["status"] != "succeeded":
            assert status["status"] != "failed" and time.monotonic() < deadline, status
            time.sleep(0.1)
        result = http.get(status["result_url"])
        assert result.status_code == 200
        assert len(result.text.splitlines()) == 3_001


def test_concurrent_answers_equal_sequential_ones(live_server):
    """The cached model serves threads at once: each answer is what its seed gives alone."""
    body = {"dataset": "adult", "n": 300, "conditions": {"income": ">50K"}}
    with httpx.Client(base_url=live_server, timeout=60, headers=AUTH) as http:
        alone = [http.post("/v1/generate", json={**body, "seed": s}).json()["data"]
                 for s in range(6)]  # fmt: skip

    def ask(seed: int) -> list:
        with httpx.Client(base_url=live_server, timeout=60, headers=AUTH) as http:
            return http.post("/v1/generate", json={**body, "seed": seed}).json()["data"]

    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(ask, [s % 6 for s in range(18)]))
    assert all(answer == alone[i % 6] for i, answer in enumerate(together))
