"""Bearer tokens, the per-token rate limit, the body bound and the loopback rule."""

from __future__ import annotations

import pytest

from tests.genesis.api.conftest import AUTH, OTHER_AUTH

BODY = {"dataset": "adult", "n": 3}


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, "no bearer token"),
        ({"Authorization": "Bearer wrong"}, "not one this server accepts"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "no bearer token"),
        ({"Authorization": "Bearer "}, "no bearer token"),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/v1/generate"),
        ("get", "/v1/datasets"),
        ("get", "/v1/jobs/abc"),
        ("post", "/v1/generate/natural-language"),
        ("post", "/v1/evaluate"),
    ],  # fmt: skip
)
def test_every_route_but_health_needs_a_known_token(client, headers, words, method, path):
    response = client.request(method, path, json=BODY, headers=headers)
    assert response.status_code == 401
    assert words in response.json()["error"] and "GENESIS_API_TOKENS" in response.json()["fix"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_both_tokens_are_accepted(client):
    for headers in (AUTH, OTHER_AUTH):
        assert client.post("/v1/generate", json=BODY, headers=headers).status_code == 200


def test_without_tokens_no_authentication_is_asked(make_client):
    client = make_client(tokens=())
    assert client.post("/v1/generate", json=BODY).status_code == 200
    assert client.get("/v1/health").json()["authentication"] is False


def test_the_rate_limit_is_per_token_with_retry_after(make_client):
    client = make_client(rate_per_second=0.5, rate_burst=3)
    answers = [client.get("/v1/datasets", headers=AUTH).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/v1/datasets", headers=AUTH)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "0.5 per second" in refused.json()["error"] and refused.json()["fix"]
    # another token has its own bucket; health is never limited
    assert client.get("/v1/datasets", headers=OTHER_AUTH).status_code == 200
    assert client.get("/v1/health").status_code == 200


def test_a_wrong_token_does_not_spend_the_right_ones_budget(make_client):
    client = make_client(rate_per_second=0.5, rate_burst=1)
    for _ in range(3):
        client.get("/v1/datasets", headers={"Authorization": "Bearer nope"})
    assert client.get("/v1/datasets", headers=AUTH).status_code == 200


def test_bodies_over_the_bound_are_refused_before_parsing(make_client):
    client = make_client(max_body_bytes=500)
    big = {"dataset": "adult", "n": 3, "conditions": {"native-country": ["Cuba"] * 100}}
    response = client.post("/v1/generate", json=big, headers=AUTH)
    assert response.status_code == 413
    assert "500 bytes" in response.json()["error"] and response.json()["fix"]


def test_a_streamed_body_without_length_is_counted_too(make_client):
    client = make_client(max_body_bytes=500)

    def chunks():
        yield b'{"dataset": "adult", "n": 3, "conditions": {"sex": "'
        for _ in range(100):
            yield b"xxxxxxxxxx"
        yield b'"}}'

    response = client.post(
        "/v1/generate",
        content=chunks(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_uploads_have_their_own_bound(make_client, api_project):
    client = make_client(max_upload_bytes=2_000)
    table = api_project.data.head(200).to_csv(index=False).encode()
    response = client.post(
        "/v1/evaluate", files={"real": ("r.csv", table), "synthetic": ("s.csv", table)},
        headers=AUTH,
    )  # fmt: skip
    assert response.status_code == 413 and "2,000 bytes" in response.json()["error"]


def test_tokens_come_from_the_environment(monkeypatch):
    from genesis.api import TOKENS_ENV, ApiSettings

    monkeypatch.setenv(TOKENS_ENV, " alpha, ,beta ")
    assert ApiSettings.from_env().tokens == ("alpha", "beta")
    monkeypatch.delenv(TOKENS_ENV)
    assert ApiSettings.from_env().tokens == ()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "localhost"])
def test_no_token_no_binding_beyond_loopback(host):
    from genesis.api import ApiSettings, check_bind
    from genesis.errors import UnsafeBindError

    with pytest.raises(UnsafeBindError, match="GENESIS_API_TOKENS"):
        check_bind(host, ApiSettings())
    check_bind(host, ApiSettings(tokens=("t",)))  # with a token: allowed
    check_bind("127.0.0.1", ApiSettings())


def test_errors_and_logs_carry_no_token_and_no_values(make_client, caplog):
    client = make_client()
    secret_value = "Qwertyuiop-Value"
    with caplog.at_level("INFO", logger="genesis.api"):
        client.post("/v1/generate", json={**BODY, "conditions": {"sex": secret_value}},
                    headers=AUTH)  # fmt: skip
        client.get("/v1/datasets", headers={"Authorization": "Bearer leaked-guess"})
    logged = caplog.text
    assert "/v1/generate" in logged
    assert secret_value not in logged and "leaked-guess" not in logged
    assert "token-one" not in logged


def test_a_bug_answers_500_without_its_message(make_client, locator, monkeypatch, caplog):
    from genesis.generators import SyntheticGenerator

    def broken(self, *args, **kwargs):
        raise RuntimeError("Widowed,Female,63 leaked")  # a message holding data values

    monkeypatch.setattr(SyntheticGenerator, "generate_chunks", broken)
    client = make_client()
    with caplog.at_level("DEBUG"):
        response = client.post("/v1/generate", json=BODY, headers=AUTH)
    assert response.status_code == 500
    assert response.json()["error"].endswith("(RuntimeError)") and response.json()["fix"]
    assert "leaked" not in response.text and "leaked" not in caplog.text


def test_guessing_tokens_is_rate_limited_by_address(make_client):
    client = make_client(rate_per_second=0.5, rate_burst=3)
    wrong = {"Authorization": "Bearer guess"}
    answers = [client.get("/v1/datasets", headers=wrong).status_code for _ in range(5)]
    assert answers[:3] == [401, 401, 401] and answers[3:] == [429, 429]


def test_settings_never_show_their_tokens():
    from genesis.api import ApiSettings

    settings = ApiSettings(tokens=("very-secret",))
    assert "very-secret" not in repr(settings) and "very-secret" not in str(settings)
    assert settings.tokens == ("very-secret",)
