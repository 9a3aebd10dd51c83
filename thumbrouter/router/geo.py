"""Country of a client IP: the embedded geoip2fast data (IPv4 + IPv6, no download) or a MaxMind .mmdb.

Private, loopback, link-local, reserved and invalid addresses have no country (None), so they
route to the default cloud. The embedded data costs ~0.3 s and ~50 MB RSS to load, so it is loaded
once per process, lazily, on the first lookup (or `warm()` at start-up).
"""

import ipaddress
import re
import threading
from typing import Protocol

from .config import missing_package

EMBEDDED_DATA_FILE = "geoip2fast-ipv6.dat.gz"  # shipped in the geoip2fast wheel; covers IPv4 and IPv6
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class GeoIP(Protocol):
    """What routing needs from a GeoIP database."""

    name: str

    def country(self, ip: str) -> str | None:
        """ISO 3166-1 alpha-2 code of a public IP, or None when unknown."""

    def warm(self) -> None:
        """Load the data now (start-up or readiness); raises if it cannot be loaded."""


def public_address(ip: str) -> str | None:
    """The canonical text of a routable IP (IPv4-mapped IPv6 unwrapped), or None if it is not one."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except (ValueError, AttributeError):
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address) if address.is_global else None


def normalize_country(code: str | None) -> str | None:
    """An upper-case two-letter code, or None for anything else (lenient: for GeoIP data and CDN headers)."""
    code = (code or "").strip().upper()
    return code if _COUNTRY.match(code) else None


class EmbeddedGeoIP:
    """geoip2fast's bundled IPv4+IPv6 data, loaded once per process on first use (thread-safe)."""

    name = "geoip2fast"
    _shared = None
    _lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return EmbeddedGeoIP._shared is not None

    def warm(self) -> None:
        self._reader()

    def _reader(self):
        if EmbeddedGeoIP._shared is None:
            with EmbeddedGeoIP._lock:
                if EmbeddedGeoIP._shared is None:
                    from geoip2fast import GeoIP2Fast

                    EmbeddedGeoIP._shared = GeoIP2Fast(geoip2fast_data_file=EMBEDDED_DATA_FILE, verbose=False)
        return EmbeddedGeoIP._shared

    def country(self, ip: str) -> str | None:
        address = public_address(ip)
        if address is None:
            return None
        return normalize_country(self._reader().lookup(address).country_code)


class MaxMindGeoIP:
    """A MaxMind-format .mmdb (GeoLite2/GeoIP2 Country or City) opened with `maxminddb`."""

    name = "maxminddb"

    def __init__(self, path: str):
        try:
            import maxminddb
        except ModuleNotFoundError as exc:
            if exc.name != "maxminddb":
                raise
            raise missing_package("maxminddb", "THUMBROUTER_GEOIP_DB") from None

        self.path = path
        self._reader = maxminddb.open_database(path)
        self.loaded = True

    def warm(self) -> None:
        """Opened in __init__ already; nothing to do."""

    def country(self, ip: str) -> str | None:
        address = public_address(ip)
        record = self._reader.get(address) if address else None
        if not isinstance(record, dict):
            return None
        place = record.get("country") or record.get("registered_country")
        code = place.get("iso_code") if isinstance(place, dict) else None
        return normalize_country(code if isinstance(code, str) else None)


def open_geoip(path: str | None = None) -> GeoIP:
    """The .mmdb at `path` when given (errors if unreadable), else the embedded default.

    Raises OSError / maxminddb.InvalidDatabaseError for a missing or corrupt .mmdb, ConfigError naming
    THUMBROUTER_GEOIP_DB where maxminddb is not installed (the router's Lambda zip).
    """
    return MaxMindGeoIP(path) if path else EmbeddedGeoIP()
