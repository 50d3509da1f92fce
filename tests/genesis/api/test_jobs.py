"""``/v1/jobs``: a large generation in the background, its progress and its download."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest

from tests.genesis.api.conftest import AUTH, OTHER_AUTH, TOKEN


def _wait(client, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        status = client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()
        seen.append(status["progress"])
        if status["status"] in ("succeeded", "failed"):
            status["seen_progress"] = seen
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s: {status}")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_job_lifecycle(make_client, fmt, tmp_path):
    client = make_client(stream_chunk_rows=2_000)
    body = {"dataset": "adult", "n": 12_000, "seed": 4, "format": fmt,
            "conditions": {"income": ">50K"}}  # fmt: skip
    created = client.post("/v1/jobs", json=body, headers=AUTH)
    assert created.status_code == 202
    job = created.json()
    assert job["status"] in ("queued", "running") and job["result_url"] is None
    done = _wait(client, job["id"])
    assert done["status"] == "succeeded" and done["progress"] == 1.0
    assert done["rows_done"] == 12_000 and done["finished_at"] >= done["created_at"]
    result = client.get(done["result_url"], headers=AUTH)
    assert result.status_code == 200
    if fmt == "csv":
        rows = pd.read_csv(io.BytesIO(result.content))
    elif fmt == "jsonl":
        rows = pd.read_json(io.BytesIO(result.content), lines=True)
    else:
        rows = pd.read_parquet(io.BytesIO(result.content))
    assert len(rows) == 12_000 and set(rows["income"]) == {">50K"}
    # the same rows as the synchronous route gives (same chunks, same seeds)
    first = client.post(
        "/v1/generate", json={**body, "n": 2_000, "format": "json"}, headers=AUTH
    ).json()["data"]
    pd.testing.assert_frame_equal(
        rows.head(2_000).reset_index(drop=True), pd.DataFrame(first), check_dtype=False
    )
    # the result file was renamed into place whole: no temporary file is left behind
    files = sorted(p.name for p in (tmp_path / "jobs").iterdir())
    assert files == [f"{job['id']}.{fmt}"]


def test_progress_is_reported_while_running(make_client):
    client = make_client(stream_chunk_rows=1_000)
    job = client.post("/v1/jobs", json={"dataset": "adult", "n": 40_000}, headers=AUTH).json()
    early = client.get(f"/v1/jobs/{job['id']}/result", headers=AUTH)
    assert early.status_code == 409
    assert "wait until" in early.json()["fix"]
    done = _wait(client, job["id"])
    progress = done["seen_progress"]
    assert progress == sorted(progress)  # never goes back
    assert any(0 < p < 1 for p in progress), progress


def test_unknown_and_foreign_jobs_are_not_found(client):
    for path in ("/v1/jobs/no-such-job", "/v1/jobs/no-such-job/result"):
        response = client.get(path, headers=AUTH)
        assert response.status_code == 404 and "no job" in response.json()["error"]
    job = client.post("/v1/jobs", json={"dataset": "adult", "n": 10}, headers=AUTH).json()
    assert client.get(f"/v1/jobs/{job['id']}", headers=OTHER_AUTH).status_code == 404
    _wait(client, job["id"])


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"dataset": "adult", "n": 10_000_001}, 413),
        ({"dataset": "adult", "n": 0}, 422),
        ({"dataset": "adult", "n": 10, "format": "json"}, 422),
        ({"dataset": "nowhere", "n": 10}, 404),
        ({"dataset": "pending", "n": 10}, 503),
        ({"dataset": "adult", "n": 10, "conditions": {"agee": 1}}, 422),
    ],
)
def test_bad_jobs_are_refused_at_once(client, body, status):
    response = client.post("/v1/jobs", json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert response.json()["fix"]


def test_a_failed_job_says_why(client):
    # valid alone, impossible together: found out only while generating
    conditions = {"age": ["<", 18], "marital-status": "Widowed", "income": ">50K"}
    job = client.post(
        "/v1/jobs", json={"dataset": "adult", "n": 100, "conditions": conditions}, headers=AUTH
    ).json()
    done = _wait(client, job["id"])
    assert done["status"] == "failed"
    assert done["error"]["error"] and done["error"]["fix"]
    result = client.get(f"/v1/jobs/{job['id']}/result", headers=AUTH)
    assert result.status_code == 409 and "failed" in result.json()["error"]


def test_jobs_beyond_the_bound_are_refused_until_some_finish(make_client):
    client = make_client(max_jobs=2, stream_chunk_rows=500)
    ids = [
        client.post("/v1/jobs", json={"dataset": "adult", "n": 20_000}, headers=AUTH).json()["id"]
        for _ in range(2)
    ]
    third = client.post("/v1/jobs", json={"dataset": "adult", "n": 10}, headers=AUTH)
    assert third.status_code == 413 and "wait for a job" in third.json()["fix"]
    for job_id in ids:
        _wait(client, job_id)
    assert (
        client.post("/v1/jobs", json={"dataset": "adult", "n": 10}, headers=AUTH).status_code == 202
    )


def test_stopping_the_server_stops_a_running_job(api_project, locator, tmp_path):
    from fastapi.testclient import TestClient

    from genesis.api import ApiSettings, create_app
    from genesis.api.security import authenticate

    settings = ApiSettings(tokens=(TOKEN,), stream_chunk_rows=500, jobs_dir=str(tmp_path))
    app = create_app(api_project.config, settings, locator=locator)
    with TestClient(app) as client:
        job = client.post("/v1/jobs", json={"dataset": "adult", "n": 5_000_000}, headers=AUTH)
        job_id = job.json()["id"]
        deadline = time.monotonic() + 30
        while client.get(f"/v1/jobs/{job_id}", headers=AUTH).json()["rows_done"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
    # leaving the block ends the lifespan: the pool stops after the running chunk, not after
    # the minutes 5,000,000 rows would take
    assert time.monotonic() - started < 10
    owner = authenticate(f"Bearer {TOKEN}", (TOKEN,), "test").key
    stopped = app.state.genesis.jobs.get(owner, job_id)
    assert stopped.status == "failed" and "server stopped" in stopped.error["error"]
    assert stopped.rows_done < 5_000_000
