"""GeoIP: geoip2fast's shipped IPv4+IPv6 data, a MaxMind .mmdb, and addresses that have no country."""

import netaddr
import pytest
from mmdb_writer import MMDBWriter

from thumbrouter.router.geo import EmbeddedGeoIP, MaxMindGeoIP, normalize_country, open_geoip, public_address


@pytest.fixture(scope="module")
def embedded():
    geoip = EmbeddedGeoIP()
    geoip.warm()
    return geoip


@pytest.mark.parametrize("ip, country", [
    ("114.114.114.114", "CN"), ("223.5.5.5", "CN"), ("8.8.8.8", "US"), ("1.1.1.1", "AU"),
    ("240e::1", "CN"), ("2400:3200::1", "CN"), ("2001:4860:4860::8888", "US"),
    ("::ffff:114.114.114.114", "CN"),
])
def test_the_embedded_data_knows_public_ipv4_and_ipv6_addresses(embedded, ip, country):
    assert embedded.country(ip) == country


@pytest.mark.parametrize("ip", [
    "127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.1.1", "100.64.0.1", "0.0.0.0",
    "::1", "fe80::1", "fc00::1", "not-an-ip", "", "999.1.1.1", "8.8.8.8/24",
])
def test_private_loopback_and_invalid_addresses_have_no_country(embedded, ip):
    assert embedded.country(ip) is None


def test_the_embedded_data_is_loaded_once_per_process():
    first, second = EmbeddedGeoIP(), EmbeddedGeoIP()
    first.warm()
    assert second.loaded and first._reader() is second._reader()


def write_mmdb(path, networks: dict[str, str], ip_version: int = 6) -> str:
    """A real MaxMind-format file (GeoIP2-Country shaped records) made with mmdb-writer."""
    writer = MMDBWriter(ip_version=ip_version, database_type="GeoIP2-Country", ipv4_compatible=True)
    for network, code in networks.items():
        writer.insert_network(netaddr.IPSet([network]), {"country": {"iso_code": code}})
    writer.to_db_file(str(path))
    return str(path)


@pytest.fixture
def mmdb(tmp_path):
    # 8.8.8.0/24 is deliberately "CN" here: a route to Qiniu proves the .mmdb, not geoip2fast, answered.
    return write_mmdb(tmp_path / "tiny.mmdb", {"8.8.8.0/24": "CN", "1.1.1.0/24": "DE", "2400:3200::/32": "JP"})


def test_a_maxmind_database_answers_from_its_own_records(mmdb):
    geoip = open_geoip(mmdb)
    assert isinstance(geoip, MaxMindGeoIP)
    ips = ("8.8.8.8", "1.1.1.1", "2400:3200::1", "9.9.9.9", "10.0.0.1")
    assert [geoip.country(ip) for ip in ips] == ["CN", "DE", "JP", None, None]


def test_a_maxmind_database_drives_routing(make_router, mmdb):
    router = make_router(GEOIP_DB=mmdb)
    assert router.choose_cloud(client_ip="8.8.8.8") == "qiniu"
    assert router.choose_cloud(client_ip="114.114.114.114") == "s3"   # not in the tiny database


def test_a_corrupt_maxmind_database_fails_at_start_up(tmp_path, make_router):
    bad = tmp_path / "bad.mmdb"
    bad.write_bytes(b"not a database")
    with pytest.raises(Exception, match="(?i)metadata|database"):
        make_router(GEOIP_DB=str(bad))


def test_helpers_normalise_addresses_and_country_codes():
    assert public_address(" ::ffff:8.8.8.8 ") == "8.8.8.8"
    assert public_address("192.168.1.1") is None
    assert [normalize_country(v) for v in ("cn", " US ", "XYZ", None, "1A")] == ["CN", "US", None, None, None]
