"""Client IP behind trusted proxies and the edge's country header (pure functions, then through the API)."""

import pytest

from router.clientip import header_country, resolve_ip


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
