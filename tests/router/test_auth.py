"""Bearer-token authentication of the /v1 API."""

import pytest

from thumbrouter.router import ConfigError, create_app
from thumbrouter.router.auth import presented_token, token_matches

from .http_helpers import AUTH, OTHER_TOKEN, TOKEN, router_env

URL = "/v1/download-urls?key=photos/cat.jpg&cloud=s3"


@pytest.fixture
def client(s3_server):
    return create_app(router_env()).test_client()


def test_a_request_without_a_token_is_401_json_with_a_bearer_challenge(client):
    answer = client.get(URL)
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthorized"
    assert "Bearer" in answer.json["error"]["message"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_401(client):
    answer = client.get(URL, headers={"Authorization": "Bearer not-the-token-at-all-000"})
    assert answer.status_code == 401
    assert answer.json["error"]["message"] == "invalid bearer token"


def test_a_token_that_is_a_prefix_of_the_right_one_is_401(client):
    assert client.get(URL, headers={"Authorization": f"Bearer {TOKEN[:-1]}"}).status_code == 401


def test_another_scheme_is_401(client):
    assert client.get(URL, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401


def test_the_right_token_is_200(client):
    assert client.get(URL, headers=AUTH).status_code == 200


def test_every_configured_token_is_accepted(client):
    assert client.get(URL, headers={"Authorization": f"bearer {OTHER_TOKEN}"}).status_code == 200


def test_health_and_metrics_need_no_token(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_the_app_refuses_to_start_without_tokens_and_names_the_variable(s3_server):
    env = router_env()
    del env["THUMBROUTER_API_TOKENS"]
    with pytest.raises(ConfigError, match="THUMBROUTER_API_TOKENS.*THUMBROUTER_ALLOW_ANONYMOUS"):
        create_app(env)


def test_anonymous_access_needs_to_be_asked_for_explicitly(s3_server):
    env = router_env(ALLOW_ANONYMOUS="1")
    del env["THUMBROUTER_API_TOKENS"]
    assert create_app(env).test_client().get(URL).status_code == 200


def test_tokens_still_apply_when_anonymous_is_also_set(s3_server):
    client = create_app(router_env(ALLOW_ANONYMOUS="1")).test_client()
    assert client.get(URL).status_code == 401


def test_token_matching_compares_whole_tokens():
    tokens = (b"first-token-0123456789", b"second-token-0123456789")
    assert token_matches(b"second-token-0123456789", tokens)
    assert not token_matches(b"second-token-012345678", tokens)
    assert not token_matches(b"", tokens)


@pytest.mark.parametrize("header, expected", [
    ("Bearer abc", b"abc"), ("bearer  abc ", b"abc"), ("Bearer", None), ("Bearer ", None),
    ("Basic abc", None), ("", None), (None, None),
])
def test_only_bearer_headers_present_a_token(header, expected):
    assert presented_token(header) == expected
