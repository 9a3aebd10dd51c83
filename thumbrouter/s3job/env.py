"""Env: typed, validated reads of prefixed environment variables, for the Lambda's and the router's config.

Every getter treats an unset or blank variable as "use the default" and raises ConfigError naming the
full variable (`THUMBROUTER_JPEG_QUALITY must be in 1..95, got 99`), so a bad deployment stops at
start-up. `is_bucket_name` is the one S3 bucket-name rule of the project. `renamed_variables` and
`Env(..., renames)` let a renamed variable's old name keep working, with one deprecation line in the log.
"""

import logging
import re
from collections.abc import Mapping
from typing import TypeGuard

from thumbrouter.imagecore import InvalidSizeError, format_size

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]+$")
log = logging.getLogger(__name__)
_WARNED: set[str] = set()  # old names already warned about: one line per name per process
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


class ConfigError(ValueError):
    """A configuration variable is missing or wrong; the message names it."""


class SameBucketError(ConfigError):
    """The destination bucket equals the source bucket: thumbnails would land among originals."""


def is_bucket_name(name: object) -> TypeGuard[str]:
    """True for an S3 bucket name: 3-63 of a-z 0-9 . -, starting and ending alphanumeric, no `..`."""
    return isinstance(name, str) and bool(_BUCKET.match(name)) and ".." not in name


def renamed_variables(names: Mapping[str, str], old_names: Mapping[str, str], prefix: str,
                      legacy_prefixes: tuple[str, ...] = ()) -> dict[str, str]:
    """Old full name -> new full name: `names` (field -> name) under `prefix` is the new name; the old ones are
    the field's name before its rename (`old_names`, else the same) under `prefix` and each legacy prefix."""
    renames: dict[str, str] = {}
    for field, name in names.items():
        new, old = f"{prefix}{name}", old_names.get(field, name)
        renames |= {f"{before}{old}": new for before in (prefix, *legacy_prefixes) if f"{before}{old}" != new}
    return renames


def deprecated_sources(environ: Mapping[str, str], renames: Mapping[str, str]) -> dict[str, str]:
    """New full name -> the old name to read it from, for each new name left unset whose old name is set
    (`renames`: old -> new, full names).

    Logs one deprecation warning per old name per process. Raises ConfigError naming both when an old
    and a new name (or two old names of one variable) are set to different values.
    """
    sources: dict[str, str] = {}
    for old, new in renames.items():
        value = (environ.get(old) or "").strip()
        current_name = sources.get(new, new)
        current = (environ.get(current_name) or "").strip()
        if not value:
            continue
        if current and current != value:
            raise ConfigError(f"{old}={value!r} and {current_name}={current!r} are both set: "
                              f"unset {old} (deprecated; {new} replaces it)")
        if old not in _WARNED:
            _WARNED.add(old)
            log.warning("%s is deprecated: set %s instead", old, new)
        if not current:
            sources[new] = old
    return sources


class Env:
    """Reads `<prefix><NAME>` variables from `environ`, or a deprecated name of one (`renames`: old -> new,
    full names; see deprecated_sources); every error names the full variable that was read."""

    def __init__(self, environ: Mapping[str, str], prefix: str = "", renames: Mapping[str, str] | None = None):
        self.environ, self.prefix = environ, prefix
        self.sources = deprecated_sources(environ, renames or {})

    def name(self, name: str) -> str:
        """The full variable name, prefix included (the deprecated one when only that is set)."""
        full = f"{self.prefix}{name}"
        return self.sources.get(full, full)

    def error(self, name: str, problem: str) -> ConfigError:
        """A ConfigError whose message starts with the full variable name."""
        return ConfigError(f"{self.name(name)} {problem}")

    def text(self, name: str, default: str | None = None) -> str | None:
        """The stripped value, or `default` when unset or blank."""
        value = (self.environ.get(self.name(name)) or "").strip()
        return value or default

    def match(self, name: str, pattern: re.Pattern, what: str, default: str | None = None) -> str | None:
        """The value when `pattern` matches it; raises ConfigError "must be <what>" otherwise."""
        value = self.text(name)
        if value is None:
            return default
        if not pattern.match(value):
            raise self.error(name, f"must be {what}, got {value!r}")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        """One of `choices`, case-insensitive, returned lower-case."""
        value = (self.text(name) or default).lower()
        if value not in choices:
            raise self.error(name, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        """1/0, true/false, yes/no, on/off."""
        value = self.text(name)
        if value is None:
            return default
        if value.lower() not in _BOOLEANS:
            raise self.error(name, f"must be 1 or 0 (true/false), got {value!r}")
        return _BOOLEANS[value.lower()]

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """An integer in low..high (`1_000` allowed)."""
        value = self.text(name)
        if value is None:
            return default
        try:
            number = int(value.replace("_", ""))
        except ValueError:
            raise self.error(name, f"must be an integer, got {value!r}") from None
        if not low <= number <= high:
            raise self.error(name, f"must be in {low}..{high}, got {number}")
        return number

    def items(self, name: str) -> tuple[str, ...]:
        """A comma list, blanks dropped."""
        return tuple(item.strip() for item in (self.text(name) or "").split(",") if item.strip())

    def secrets(self, name: str, min_chars: int) -> tuple[str, ...]:
        """A comma list of secrets, each at least `min_chars` long (never echoed in the error)."""
        values = self.items(name)
        for index, value in enumerate(values):
            if len(value) < min_chars:
                raise self.error(name, f"entry {index + 1} is shorter than {min_chars} characters")
        return values

    def bucket(self, name: str) -> str | None:
        """An S3 bucket name (see is_bucket_name), or None."""
        value = self.text(name)
        if value is not None and not is_bucket_name(value):
            raise self.error(name, f"must be an S3 bucket name (3-63 of a-z 0-9 . -, no ..), got {value!r}")
        return value

    def sizes(self, name: str, default: str) -> tuple[str, ...]:
        """A comma list of canonical `WxH` sizes, deduplicated in order; at least one."""
        value = self.text(name, default) or default
        try:
            sizes = tuple(dict.fromkeys(format_size(part) for part in value.split(",") if part.strip()))
        except InvalidSizeError as exc:
            raise self.error(name, f"must be a comma list like 50x50,200x200: {exc}") from None
        if not sizes:
            raise self.error(name, f"names no size, got {value!r}")
        return sizes

    def header_value(self, name: str, default: str) -> str:
        """An HTTP header value: printable ASCII, no control characters (no header injection)."""
        value = self.text(name, default) or default
        if not _HEADER_VALUE.match(value):
            raise self.error(name, f"must be printable ASCII without control characters, got {value!r}")
        return value
