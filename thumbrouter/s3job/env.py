"""Env: typed, validated reads of prefixed environment variables, for the Lambda's and the router's config.

Every getter treats an unset or blank variable as "use the default" and raises ConfigError naming the
full variable (`THUMBROUTER_JPEG_QUALITY must be in 1..95, got 99`), so a bad deployment stops at
start-up. `is_bucket_name` is the one S3 bucket-name rule of the project.
"""

import re
from collections.abc import Mapping
from typing import TypeGuard

from thumbrouter.imagecore import InvalidSizeError, format_size

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]+$")
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


class ConfigError(ValueError):
    """A configuration variable is missing or wrong; the message names it."""


class SameBucketError(ConfigError):
    """The destination bucket equals the source bucket: thumbnails would land among originals."""


def is_bucket_name(name: object) -> TypeGuard[str]:
    """True for an S3 bucket name: 3-63 of a-z 0-9 . -, starting and ending alphanumeric, no `..`."""
    return isinstance(name, str) and bool(_BUCKET.match(name)) and ".." not in name


class Env:
    """Reads `<prefix><NAME>` variables from `environ`; every error names the full variable."""

    def __init__(self, environ: Mapping[str, str], prefix: str = ""):
        self.environ, self.prefix = environ, prefix

    def name(self, name: str) -> str:
        """The full variable name, prefix included."""
        return f"{self.prefix}{name}"

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
