"""No response of any endpoint holds a real row: every answer of a session that uses each
endpoint is searched with the project's leak checker (``tests/leakage.py``) and, line by
line, for the real rows as CSV text.

Generated rows are the model's own draw, row for row (``test_routes`` and ``test_nl_routes``
compare them with ``generate_chunks`` / ``generate``): the API adds nothing to them. How often
a model reproduces a real row is the model's property, measured by the quality report
(``exact_copy_share``) and the privacy audit, so generation answers are checked here only for
rows coming from anywhere but the model (their metadata).
"""

from __future__ import annotations

import pytest

from tests.genesis.api.conftest import AUTH
from tests.leakage import leaked_combinations, leaked_rows


@pytest.fixture(scope="module")
def real_lines(api_project) -> set[str]:
    return set(api_project.data.to_csv(index=False).splitlines()[1:])


def _responses(client, api_project) -> list[tuple[str, str]]:
    real_csv = api_project.data.head(500).to_csv(index=False).encode()
    nl = "/v1/generate/natural-language"
    calls = [
        ("health", client.get("/v1/health")),
        ("datasets", client.get("/v1/datasets", headers=AUTH)),
        ("generate", client.post("/v1/generate", json={"dataset": "adult", "n": 2_000},
                                 headers=AUTH)),
        ("generate csv", client.post("/v1/generate", headers=AUTH,
                                     json={"dataset": "adult", "n": 2_000, "format": "csv"})),
        ("nl", client.post(nl, json={"prompt": "1000 men over 40", "dataset": "adult"},
                           headers=AUTH)),
        ("clarify", client.post(f"{nl}/clarify", json={"prompt": "some women from Narnia",
                                                       "dataset": "adult"}, headers=AUTH)),
        ("bad condition", client.post("/v1/generate", headers=AUTH,
                                      json={"dataset": "adult", "n": 5,
                                            "conditions": {"native-country": "Atlantis"}})),
        ("evaluate", client.post("/v1/evaluate", headers=AUTH, data={"target": "income"},
                                 files={"real": ("r.csv", real_csv),
                                        "synthetic": ("s.csv", real_csv)})),
    ]  # fmt: skip
    job = client.post("/v1/jobs", json={"dataset": "adult", "n": 50}, headers=AUTH)
    calls.append(("job", job))
    calls.append(("job status", client.get(f"/v1/jobs/{job.json()['id']}", headers=AUTH)))
    for name, response in calls:
        assert response.status_code < 500, (name, response.text)
    return [(name, response.text) for name, response in calls]


def test_no_response_holds_a_real_row(client, api_project, real_lines):
    real = api_project.data
    for name, text in _responses(client, api_project):
        if name.startswith(("generate", "nl")):
            text = _without_rows(text)
        assert leaked_rows(text, real) == [], f"{name} holds real rows"
        assert not real_lines & set(text.splitlines()), f"{name} holds a real row as CSV"
        if name.startswith(("generate", "nl", "datasets")):
            # synthetic rows share values with real ones by design (whole rows never); the
            # datasets' figures (a column's 47 labels, a null share of 0) collide with small
            # numbers of real rows: test_routes checks they hold no minimum or maximum
            continue
        assert leaked_combinations(text, real, k=4) == [], f"{name} holds unique real values"


def _without_rows(text: str) -> str:
    """A generation answer without its generated rows (JSON: the rest of the document; CSV:
    the header)."""
    import json

    try:
        document = json.loads(text)
    except ValueError:
        return text.splitlines()[0]
    assert document.pop("data"), "the answer holds rows"
    return json.dumps(document)


def test_evaluating_the_real_table_against_itself_returns_scores_only(client, api_project):
    # the worst case: both uploads real, and still no row comes back
    real = api_project.data.head(500)
    table = real.to_csv(index=False).encode()
    response = client.post(
        "/v1/evaluate", files={"real": ("r.csv", table), "synthetic": ("s.csv", table)},
        headers=AUTH,
    )  # fmt: skip
    assert response.status_code == 200
    assert leaked_rows(response.text, real) == []
    assert response.json()["exact_copy_share"] == 1.0
