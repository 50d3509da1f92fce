"""``/v1/generate/natural-language`` and ``/clarify`` on the materialized Adult model."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.genesis.api.conftest import AUTH, OTHER_AUTH

NL = "/v1/generate/natural-language"


def test_a_prompt_becomes_conditions_the_rows_meet(client):
    response = client.post(
        NL, json={"prompt": "Generate 300 women over 50", "data_context": "adult"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    body = response.json()
    interpretation = body["interpretation"]
    assert interpretation["n_samples"] == 300
    assert interpretation["conditions"] == {"age": [">", 50], "sex": "Female"}
    rows = pd.DataFrame(body["data"])
    assert len(rows) == 300 and (rows["age"] > 50).all() and set(rows["sex"]) == {"Female"}
    assert body["dataset"] == "adult"


def test_the_rows_are_the_models_exact_conditional_draw(client, locator):
    body = {"prompt": "200 married men aged 30-40", "dataset": "adult", "seed": 5}
    answer = client.post(NL, json=body, headers=AUTH).json()
    from genesis.generators.conditional import ConditionSet

    conditions = ConditionSet.from_dict(answer["interpretation"]["conditions"])
    expected = locator("adult").load().generate(200, seed=5, conditions=conditions)
    pd.testing.assert_frame_equal(pd.DataFrame(answer["data"]), expected, check_dtype=False)


def test_without_a_count_the_request_n_or_the_default_is_used(make_client):
    client = make_client(default_nl_rows=7)
    prompt = {"prompt": "people over 40", "dataset": "adult"}
    assert len(client.post(NL, json=prompt, headers=AUTH).json()["data"]) == 7
    with_n = client.post(NL, json={**prompt, "n": 12}, headers=AUTH).json()
    assert with_n["n"] == 12 and len(with_n["data"]) == 12


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"prompt": "10 people"}, 422, "which dataset"),  # two datasets configured
        ({"prompt": "10 people", "dataset": "nowhere"}, 404, "not configured"),
        ({"prompt": "10 people", "dataset": "pending"}, 503, "no fitted model"),
        ({"prompt": "", "dataset": "adult"}, 422, "prompt"),
        ({"prompt": "500000 people", "dataset": "adult"}, 413, "at most"),
        ({"prompt": "10 people aged over 200", "dataset": "adult"}, 422, "outside"),
        ({"prompt": "10 people from Atlantis", "dataset": "adult"}, 422, "Atlantis"),
    ],
)
def test_natural_language_errors(client, body, status, words):
    response = client.post(NL, json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert words in response.text and response.json()["fix"]


def test_unread_parts_are_ignored_only_when_allowed(client):
    prompt = "10 people over 40 from Atlantis"
    refused = client.post(NL, json={"prompt": prompt, "dataset": "adult"}, headers=AUTH)
    assert refused.status_code == 422 and "Atlantis" in refused.json()["error"]
    body = {"prompt": prompt, "dataset": "adult", "allow_unresolved": True}
    answer = client.post(NL, json=body, headers=AUTH).json()
    assert answer["interpretation"]["unresolved"] == ["Atlantis"]
    assert answer["interpretation"]["conditions"] == {"age": [">", 40]}
    assert len(answer["data"]) == 10 and all(row["age"] > 40 for row in answer["data"])


def test_a_long_prompt_is_refused_with_the_bound(make_client):
    client = make_client(max_prompt_chars=50)
    response = client.post(NL, json={"prompt": "people " * 20, "dataset": "adult"}, headers=AUTH)
    assert response.status_code == 413 and "at most 50" in response.json()["error"]


def test_clarify_asks_for_a_count_then_merges_the_answer(client):
    first = client.post(
        f"{NL}/clarify", json={"prompt": "Generate some women", "dataset": "adult"}, headers=AUTH
    ).json()
    assert first["needs_clarification"] is True
    assert [q["field"] for q in first["questions"]] == ["n_samples"]
    second = client.post(
        f"{NL}/clarify",
        json={"prompt": "250", "session_id": first["session_id"], "dataset": "adult"},
        headers=AUTH,
    ).json()
    assert second["needs_clarification"] is False
    assert second["session_id"] == first["session_id"]
    assert second["interpretation"]["n_samples"] == 250
    assert second["interpretation"]["conditions"] == {"sex": "Female"}  # kept from turn one


def test_clarify_sessions_belong_to_their_token(client):
    first = client.post(
        f"{NL}/clarify", json={"prompt": "some women", "dataset": "adult"}, headers=AUTH
    ).json()
    other = client.post(
        f"{NL}/clarify",
        json={"prompt": "250", "session_id": first["session_id"], "dataset": "adult"},
        headers=OTHER_AUTH,
    ).json()
    assert other["interpretation"]["conditions"] == {}  # another token starts afresh


def test_clarify_flags_conditions_the_model_cannot_meet(client):
    body = {"prompt": "100 people aged over 80 and under 20", "dataset": "adult"}
    answer = client.post(f"{NL}/clarify", json=body, headers=AUTH).json()
    assert answer["needs_clarification"] is True
    assert answer["questions"][0]["field"] == "age"


def test_clarify_rejects_a_malformed_session_id(client):
    body = {"prompt": "10 people", "dataset": "adult", "session_id": "../../etc"}
    response = client.post(f"{NL}/clarify", json=body, headers=AUTH)
    assert response.status_code == 422 and "session_id" in response.text
