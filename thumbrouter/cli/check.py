"""The post-deploy check: a deployed router answers /healthz, /readyz and one /v1/download-urls, and the
download URL it signs is fetched.

Each step prints one line (ok or FAIL, the status, the time it took, why it failed); a failed step fails
the check (exit 1), and the fetch is skipped when no URL was signed. The API token comes from the
environment (CHECK_TOKEN_VARIABLE), never from the command line, where `ps` and shell history would show it.
Every call has a timeout. What can go wrong: DeployError for a missing token or a URL that is not http(s).
"""

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import urlsplit

import requests

from thumbrouter.cli.environments import DeployError

CHECK_TOKEN_VARIABLE = "THUMBROUTER_CHECK_TOKEN"
CONNECT_TIMEOUT, READ_TIMEOUT = 5.0, 15.0  # seconds: a cold start of the function fits in the read
MAX_FETCH_BYTES = 1024 * 1024  # the fetch proves the URL works; it need not read a whole photo


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    detail: str
    ms: float

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name:<22} {self.detail} ({self.ms:.0f} ms)"


@dataclass(frozen=True)
class Target:
    """What to check: the router's base URL, the token to call /v1 with, and an object key that exists."""

    url: str
    token: str
    key: str
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)

    @classmethod
    def from_environ(cls, url: str, key: str, environ: Mapping[str, str] = os.environ,
                     read_timeout: float = READ_TIMEOUT) -> "Target":
        """Raises DeployError without a token in the environment or for a URL that is not http(s)."""
        token = environ.get(CHECK_TOKEN_VARIABLE, "").strip()
        if not token:
            raise DeployError(f"set {CHECK_TOKEN_VARIABLE} to one of the router's API tokens")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise DeployError(f"the router URL must be http(s)://host, got {url!r}")
        return cls(url.rstrip("/"), token, key, (min(CONNECT_TIMEOUT, read_timeout), read_timeout))


def _timed(name: str, call: Callable[[], tuple[bool, str]]) -> Step:
    started = time.perf_counter()
    try:
        ok, detail = call()
    except requests.RequestException as exc:
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    return Step(name, ok, detail, (time.perf_counter() - started) * 1000)


def _expect(response: requests.Response, field: str, wanted: str) -> tuple[bool, str]:
    try:
        value = response.json().get(field)
    except ValueError:
        value = None
    ok = response.status_code == 200 and value == wanted
    return ok, f"HTTP {response.status_code}, {field}={value!r}" + ("" if ok else f" (want 200, {wanted!r})")


def run_checks(target: Target, session: requests.Session) -> list[Step]:
    """Every step in order; the fetch runs only when /v1/download-urls signed a URL."""
    steps = [_timed("GET /healthz", lambda: _expect(session.get(f"{target.url}/healthz", timeout=target.timeout),
                                                    "status", "ok")),
             _timed("GET /readyz", lambda: _expect(session.get(f"{target.url}/readyz", timeout=target.timeout),
                                                   "status", "ready"))]
    signed: list[str] = []
    steps.append(_timed("GET /v1/download-urls", lambda: _download_urls(target, session, signed)))
    if signed:
        steps.append(_timed("fetch download_url", lambda: _fetch(signed[0], session, target.timeout)))
    else:
        steps.append(Step("fetch download_url", False, "skipped: no URL was signed", 0.0))
    return steps


def _download_urls(target: Target, session: requests.Session, signed: list[str]) -> tuple[bool, str]:
    response = session.get(f"{target.url}/v1/download-urls", params={"key": target.key}, timeout=target.timeout,
                           headers={"Authorization": f"Bearer {target.token}"})
    try:
        url = response.json().get("download_url")
    except ValueError:
        url = None
    if response.status_code != 200 or not isinstance(url, str):
        return False, f"HTTP {response.status_code}: {response.text[:200]}"
    signed.append(url)
    return True, f"HTTP 200, signed for {urlsplit(url).netloc}"


def _fetch(url: str, session: requests.Session, timeout: tuple[float, float]) -> tuple[bool, str]:
    with session.get(url, timeout=timeout, stream=True) as response:
        size = sum(len(chunk) for chunk in _limited(response.iter_content(64 * 1024)))
        return response.status_code == 200, f"HTTP {response.status_code}, {size} bytes read"


def _limited(chunks):
    read = 0
    for chunk in chunks:
        yield chunk
        read += len(chunk)
        if read >= MAX_FETCH_BYTES:
            return


def check(target: Target, out: TextIO | None = None) -> int:
    """Run the checks, print one line per step (to stdout by default), return 0 when all passed, else 1."""
    out = out or sys.stdout
    with requests.Session() as session:
        steps = run_checks(target, session)
    for step in steps:
        print(step.line(), file=out)
    failed = [step.name for step in steps if not step.ok]
    print(f"check {target.url}: " + (f"FAILED ({', '.join(failed)})" if failed else "passed"), file=out)
    return 1 if failed else 0
