"""Client IP behind trusted proxies and the edge's country header (pure functions, then through the API)."""

import pytest

from thumbrouter.router import create_app
from thumbrouter.router.clientip import header_country, resolve_ip

from .http_helpers import AUTH, CN_IP, US_IP, router_env


def test_forwarded_for_is_ignored_without_trusted_proxies():
    assert resolve_ip("10.0.0.5", "1.2.3.4", 0) == "10.0.0.5"


def test_one_trusted_hop_takes_the_rightmost_forwarded_address():
    # The client wrote "6.6.6.6" itself; the proxy appended the address it actually saw.
    assert resolve_ip("10.0.0.5", "6.6.6.6, 203.0.113.9", 1) == "203.0.113.9"


def test_two_trusted_hops_take_the_second_address_from_the_right():
    assert resolve_ip("10.0.0.5", "6.6.6.6, 203.0.113.9, 10.0.0.4", 2) == "203.0.113.9"


def test_fewer_forwarded_hops_than_trusted_falls_back_to_the_socket_address():
    assert resolve_ip("10.0.0.5", "203.0.113.9", 2) == "10.0.0.5"


def test_a_forwarded_entry_that_is_not_an_ip_is_not_believed():
    assert resolve_ip("10.0.0.5", "6.6.6.6, not-an-ip", 1) == "10.0.0.5"


def test_ipv6_forwarded_addresses_are_accepted():
    assert resolve_ip("10.0.0.5", "2001:db8::1", 1) == "2001:db8::1"


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
