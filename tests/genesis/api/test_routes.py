"""``/v1/generate``, ``/v1/datasets``, ``/v1/health`` and ``/v1/evaluate`` through TestClient."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from tests.genesis.api.conftest import AUTH


def _generate(client, **body):
    return client.post("/v1/generate", json={"dataset": "adult", **body}, headers=AUTH)


def test_generate_json_meets_the_conditions(client):
    conditions = {"age": [">=", 50], "sex": "Female", "workclass": ["Private", "State-gov"]}
    response = _generate(client, n=200, conditions=conditions, seed=3)
    assert response.status_code == 200
    body = response.json()
    rows = pd.DataFrame(body["data"])
    assert body["n"] == 200 and body["seed"] == 3 and len(rows) == 200
    assert (rows["age"] >= 50).all()
    assert set(rows["sex"]) == {"Female"}
    assert set(rows["workclass"]) <= {"Private", "State-gov"}
    assert body["model_version"] == response.headers["X-Genesis-Model-Version"]


def test_every_format_gives_the_same_rows_chunk_by_chunk(make_client, locator):
    client = make_client(stream_chunk_rows=70)  # 250 rows: 4 chunks
    body = {"n": 250, "seed": 9, "conditions": {"age": ["between", [30, 40]]}}
    as_json = pd.DataFrame(_generate(client, **body).json()["data"])
    csv = _generate(client, format="csv", **body)
    jsonl = _generate(client, format="jsonl", **body)
    parquet = _generate(client, format="parquet", **body)
    assert csv.headers["content-type"].startswith("text/csv")
    assert jsonl.headers["content-type"] == "application/x-ndjson"
    from_csv = pd.read_csv(io.StringIO(csv.text))
    from_jsonl = pd.read_json(io.StringIO(jsonl.text), lines=True)
    from_parquet = pd.read_parquet(io.BytesIO(parquet.content))
    for frame in (from_csv, from_jsonl, from_parquet):
        pd.testing.assert_frame_equal(
            frame.reset_index(drop=True), as_json, check_dtype=False, check_exact=False
        )
    # chunk i is the model's draw with chunk_seed(seed, i): generate_chunks is the reference
    model = locator("adult").load()
    expected = pd.concat(
        list(model.generate_chunks(250, chunk_rows=70, seed=9, conditions=body["conditions"]))
    ).reset_index(drop=True)
    pd.testing.assert_frame_equal(as_json, expected, check_dtype=False)
    assert as_json["age"].between(30, 40).all()


def test_a_large_csv_streams_in_chunks(make_client):
    client = make_client(stream_chunk_rows=1_000, max_rows=500)
    with client.stream(
        "POST", "/v1/generate", json={"dataset": "adult", "n": 5_000, "format": "csv"}, headers=AUTH
    ) as response:
        assert response.status_code == 200
        pieces = list(response.iter_raw())
    text = b"".join(pieces).decode()
    assert len(text.splitlines()) == 5_001  # header + rows, above max_rows: csv may stream more
    assert len(pieces) >= 5  # one piece per chunk, not one body


def test_zero_rows_and_the_columns(client):
    body = _generate(client, n=0).json()
    assert body["data"] == []
    header = _generate(client, n=0, format="csv").text.strip()
    assert header.split(",")[0] == "age"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"dataset": "nowhere", "n": 5}, 404, "not configured"),
        ({"dataset": "pending", "n": 5}, 503, "no fitted model"),
        ({"dataset": "adult", "n": 5, "conditions": {"agee": 50}}, 422, "unknown column"),
        ({"dataset": "adult", "n": 5, "conditions": {"sex": "Robot"}}, 422, "Robot"),
        ({"dataset": "adult", "n": 5, "conditions": {"age": ["~~", 3]}}, 422, "condition"),
        ({"dataset": "adult", "n": 5, "conditions": {"age": [">", 500]}}, 422, "outside"),
        ({"dataset": "adult", "n": 5, "conditions": 7}, 422, "conditions"),
        ({"dataset": "adult", "n": -1}, 422, "n"),
        ({"dataset": "adult", "n": 5, "format": "xlsx"}, 422, "format"),
        ({"dataset": "adult", "n": 5, "surprise": 1}, 422, "surprise"),
        ({"dataset": "adult", "n": 200_000}, 413, "POST /v1/jobs"),
        ({"dataset": "adult", "n": 2_000_000, "format": "csv"}, 413, "at most"),
    ],
)
def test_bad_requests_get_json_errors_with_a_fix(client, body, status, words):
    response = client.post("/v1/generate", json=body, headers=AUTH)
    assert response.status_code == status, response.text
    error = response.json()
    assert set(error) >= {"error", "fix"} and error["fix"]
    assert words in json.dumps(error)


def test_too_many_conditions_are_refused(make_client):
    client = make_client(max_conditions=2)
    conditions = {"age": [[">", 20], ["<", 60]], "sex": "Male"}
    response = _generate(client, n=5, conditions=conditions)
    assert response.status_code == 413
    assert "at most 2" in response.json()["error"]


def test_infeasible_conditions_say_how_likely_they_were(client):
    conditions = {"age": ["<", 18], "marital-status": "Widowed", "income": ">50K"}
    response = _generate(client, n=50, conditions=conditions)
    assert response.status_code == 422
    body = response.json()
    assert body["probability"] is not None and body["probability"] < 0.01
    assert body["alternative"]


def test_datasets_list_kinds_and_labels_but_no_real_values(client, api_project):
    body = client.get("/v1/datasets", headers=AUTH).json()
    by_name = {d["name"]: d for d in body["datasets"]}
    assert set(by_name) == {"adult", "pending"}
    assert by_name["pending"]["status"] == "not materialized"
    assert "materialize pending/synthesis_model" in by_name["pending"]["problem"]["fix"]
    adult = by_name["adult"]
    assert adult["status"] == "ready" and adult["model"]["source"] == "dagster"
    assert adult["model"]["method"] == "cart" and adult["model"]["details"]["run_id"]
    columns = {c["name"]: c for c in adult["columns"]}
    assert set(columns) == set(api_project.data.columns)
    assert set(columns["sex"]["categories"]) == {"Male", "Female"}
    assert columns["age"]["kind"] == "integer" and columns["age"]["categories"] is None
    # no minimum or maximum anywhere: the oldest person's age is one person's value
    text = json.dumps(body)
    assert "minimum" not in text and "maximum" not in text
    assert str(int(api_project.data["fnlwgt"].max())) not in text


def test_health_needs_no_token(client):
    body = client.get("/v1/health").json()
    assert body["status"] == "ok" and body["datasets"] == 2 and body["authentication"] is True


def test_unknown_routes_and_methods_answer_json(client):
    missing = client.get("/v1/nothing", headers=AUTH)
    assert missing.status_code == 404 and "/docs" in missing.json()["fix"]
    wrong = client.get("/v1/generate", headers=AUTH)
    assert wrong.status_code == 405 and set(wrong.json()) == {"error", "fix"}


def test_openapi_documents_typed_bodies(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/v1/generate", "/v1/generate/natural-language", "/v1/jobs", "/v1/jobs/{job_id}",
            "/v1/jobs/{job_id}/result", "/v1/datasets", "/v1/health", "/v1/evaluate",
            "/v1/generate/natural-language/clarify"} <= set(paths)  # fmt: skip
    request = paths["/v1/generate"]["post"]["requestBody"]["content"]["application/json"]
    assert request["schema"]["$ref"].endswith("/GenerateRequest")
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200


def _table_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


def test_evaluate_scores_two_uploaded_tables(client, api_project):
    real = api_project.data.head(400)
    synthetic = _generate(client, n=400, format="csv", seed=1).content
    response = client.post(
        "/v1/evaluate",
        files={"real": ("real.csv", _table_bytes(real)), "synthetic": ("syn.csv", synthetic)},
        data={"target": "income"},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert 0 < report["overall_score"] <= 1 and report["n_real"] == 400
    assert report["ml_utility"]["target"] == "income"


def test_evaluate_reads_parquet_uploads_too(client, api_project):
    buffer = io.BytesIO()
    api_project.data.head(300).to_parquet(buffer, index=False)
    synthetic = _generate(client, n=300, format="parquet").content
    response = client.post(
        "/v1/evaluate",
        files={"real": ("r.parquet", buffer.getvalue()), "synthetic": ("s.parquet", synthetic)},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("files", "data", "words"),
    [
        ({"real": ("r.csv", b"")}, {}, "synthetic"),  # a table missing
        ({"real": ("r.csv", b""), "synthetic": ("s.csv", b"a,b\n1,2\n")}, {}, "empty"),
        (
            {"real": ("r.csv", b"a,b\n1,2\n3,4\n"), "synthetic": ("s.csv", b"a,b\n1,2\n")},
            {"target": "nope"},
            "target",
        ),  # fmt: skip
    ],
)
def test_evaluate_bad_uploads(client, files, data, words):
    response = client.post("/v1/evaluate", files=files, data=data, headers=AUTH)
    assert response.status_code == 422, response.text
    assert words in json.dumps(response.json())
    assert "/tmp" not in response.json()["error"]  # the server's temporary path is not shown
