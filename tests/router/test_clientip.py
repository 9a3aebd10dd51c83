"""Client IP behind trusted proxies (werkzeug's ProxyFix) and the edge's country header."""

import pytest
from flask import jsonify

from thumbrouter.router import create_app
from thumbrouter.router.clientip import current_client, header_country

from .http_helpers import AUTH, CN_IP, US_IP, router_env


@pytest.fixture(scope="module")
def client_ip_seen():
    """client_ip_seen(trusted, forwarded, remote): the client address the API would route by."""
    clients = {}

    def seen(trusted: int, forwarded: str | None, remote: str = "10.0.0.5") -> str | None:
        if trusted not in clients:
            app = create_app(router_env(TRUSTED_PROXIES=trusted))
            app.add_url_rule("/test/client", view_func=lambda: jsonify(current_client()[0]))
            clients[trusted] = app.test_client()
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        return clients[trusted].get("/test/client", headers=headers, environ_base={"REMOTE_ADDR": remote}).json

    return seen


def test_forwarded_for_is_ignored_without_trusted_proxies(client_ip_seen):
    assert client_ip_seen(0, "1.2.3.4") == "10.0.0.5"


def test_one_trusted_hop_takes_the_rightmost_forwarded_address(client_ip_seen):
    # The client wrote "6.6.6.6" itself; the proxy appended the address it actually saw.
    assert client_ip_seen(1, "6.6.6.6, 203.0.113.9") == "203.0.113.9"


def test_two_trusted_hops_take_the_second_address_from_the_right(client_ip_seen):
    assert client_ip_seen(2, "6.6.6.6, 203.0.113.9, 10.0.0.4") == "203.0.113.9"


def test_fewer_forwarded_hops_than_trusted_falls_back_to_the_socket_address(client_ip_seen):
    assert client_ip_seen(2, "203.0.113.9") == "10.0.0.5"


def test_ipv6_forwarded_addresses_are_accepted(client_ip_seen):
    assert client_ip_seen(1, "2001:db8::1") == "2001:db8::1"


@pytest.mark.parametrize("raw, expected", [("cn", "CN"), (" US ", "US"), ("XX", None), ("T1", None),
                                           ("USA", None), ("", None), (None, None), ("C1", None)])
def test_country_header_values_are_two_letter_codes_or_nothing(raw, expected):
    assert header_country(raw) == expected


# --- through the API: which headers move a request to Qiniu (CN) or S3 (elsewhere)


def cloud_for(client, headers: dict, remote: str = "127.0.0.1") -> str:
    answer = client.get("/v1/download-urls?key=a.jpg", headers={**AUTH, **headers},
                        environ_base={"REMOTE_ADDR": remote})
    assert answer.status_code == 200, answer.json
    return answer.json["cloud"]


def test_a_spoofed_forwarded_for_is_ignored_without_trusted_proxies(s3_server):
    client = create_app(router_env()).test_client()
    assert cloud_for(client, {"X-Forwarded-For": CN_IP}, remote=US_IP) == "s3"
    assert cloud_for(client, {}, remote=CN_IP) == "qiniu"


def test_forwarded_for_is_believed_through_one_trusted_hop(s3_server):
    client = create_app(router_env(TRUSTED_PROXIES=1)).test_client()
    assert cloud_for(client, {"X-Forwarded-For": CN_IP}, remote="10.0.0.2") == "qiniu"
    # The client prepended a Chinese address; the proxy appended the real (US) one.
    assert cloud_for(client, {"X-Forwarded-For": f"{CN_IP}, {US_IP}"}, remote="10.0.0.2") == "s3"


def test_a_forwarded_entry_that_is_not_an_ip_routes_like_an_unknown_address(s3_server):
    client = create_app(router_env(TRUSTED_PROXIES=1)).test_client()
    assert cloud_for(client, {"X-Forwarded-For": f"{US_IP}, not-an-ip"}, remote=CN_IP) == "s3"


def test_an_anonymous_app_behind_trusted_proxies_still_checks_the_socket_peer(s3_server):
    env = router_env(ALLOW_ANONYMOUS="1", TRUSTED_PROXIES=1)
    del env["THUMBROUTER_API_TOKENS"]
    client = create_app(env).test_client()
    url = "/v1/download-urls?key=a.jpg&cloud=s3"
    assert client.get(url, headers={"X-Forwarded-For": "127.0.0.1"},
                      environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403
    assert client.get(url, headers={"X-Forwarded-For": US_IP},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200


def test_the_country_header_is_ignored_unless_configured(s3_server):
    client = create_app(router_env()).test_client()
    assert cloud_for(client, {"CF-IPCountry": "CN"}) == "s3"


def test_the_configured_country_header_decides_before_the_ip(s3_server):
    client = create_app(router_env(COUNTRY_HEADER="CloudFront-Viewer-Country")).test_client()
    assert cloud_for(client, {"CloudFront-Viewer-Country": "CN"}, remote=US_IP) == "qiniu"
    assert cloud_for(client, {"CF-IPCountry": "CN"}, remote=US_IP) == "s3"
    assert cloud_for(client, {"CloudFront-Viewer-Country": "XX"}, remote=CN_IP) == "qiniu"


def test_an_explicit_country_parameter_beats_the_header(s3_server):
    client = create_app(router_env(COUNTRY_HEADER="CF-IPCountry")).test_client()
    answer = client.get("/v1/download-urls?key=a.jpg&country=US", headers={**AUTH, "CF-IPCountry": "CN"})
    assert answer.json["cloud"] == "s3"
