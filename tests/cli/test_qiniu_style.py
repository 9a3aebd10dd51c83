"""`thumbrouter qiniu-style`: show prints the derived style, check reads the bucket through the qiniu SDK.

A local HTTP server on 127.0.0.1 stands in for Qiniu's UC host; the request the SDK sends is checked
byte for byte, its `Qiniu <ak>:<sign>` header recomputed with Qiniu's documented algorithm.
"""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from qiniu import config as qiniu_config

from thumbrouter.cli import main

ENV = {"THUMBROUTER_S3_BUCKET": "photos", "THUMBROUTER_QINIU_ACCESS_KEY": "MY_ACCESS_KEY",
       "THUMBROUTER_QINIU_SECRET_KEY": "MY_SECRET_KEY", "THUMBROUTER_QINIU_BUCKET": "kodo-photos",
       "THUMBROUTER_QINIU_DOMAIN": "img.example.com"}
FIT_50 = "imageMogr2/auto-orient/thumbnail/50x50>/strip/quality/85"


@pytest.fixture(autouse=True)
def router_env(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    # The command sets the SDK's process-wide timeout and retries; put them back for other tests.
    saved = qiniu_config.get_default("connection_timeout"), qiniu_config.get_default("connection_retries")
    yield
    qiniu_config.set_default(connection_timeout=saved[0], connection_retries=saved[1])


class StandIn(ThreadingHTTPServer):
    """Answers every POST with `status` and `body` (and the X-Reqid Qiniu sends); records the requests."""

    def __init__(self, status: int, body: dict):
        self.status, self.body, self.requests = status, body, []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.command, self.path, dict(self.headers), body))
        payload = json.dumps(self.server.body).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Reqid", "stand-in")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def uc_host():
    servers = []

    def start(status: int = 200, body: dict | None = None) -> StandIn:
        server = StandIn(status, {} if body is None else body)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def qiniu_token(method: str, path: str, headers: dict, body: bytes) -> str:
    """Qiniu's documented management signature: `<Method> <Path>\\nHost: ..\\nContent-Type: ..\\nX-Qiniu-*\\n\\n`."""
    qiniu_headers = "".join(f"\n{name.title()}: {value}" for name, value in sorted(headers.items())
                            if name.lower().startswith("x-qiniu-"))
    data = f"{method} {path}\nHost: {headers['Host']}\nContent-Type: {headers['Content-Type']}{qiniu_headers}\n\n"
    data += body.decode()
    digest = hmac.new(b"MY_SECRET_KEY", data.encode(), hashlib.sha1).digest()
    return "Qiniu MY_ACCESS_KEY:" + base64.urlsafe_b64encode(digest).decode()


def test_show_prints_the_derived_style_and_the_console_steps_that_create_it(capsys):
    assert main(["qiniu-style", "show"]) == 0
    out = capsys.readouterr().out
    assert f"name: thumb50\nseparator: -\nprocessing: {FIT_50}\n" in out
    assert "bucket kodo-photos" in out and f"   {FIT_50}\n" in out and "allow '-'" in out


def test_show_follows_the_spec_the_lambda_is_deployed_with(monkeypatch, capsys):
    monkeypatch.setenv("THUMBROUTER_THUMBNAIL_MODE", "cover")
    monkeypatch.setenv("THUMBROUTER_JPEG_QUALITY", "80")
    assert main(["qiniu-style", "show"]) == 0
    assert "processing: imageMogr2/auto-orient/thumbnail/!50x50r/gravity/Center/crop/50x50/strip/quality/80" in (
        capsys.readouterr().out)


def test_check_sends_one_signed_bucket_info_request_and_accepts_a_matching_bucket(uc_host, capsys):
    server = uc_host(body={"styles": {"thumb50": FIT_50, "other": "imageView2/2/w/9"}, "separator": "-!"})
    assert main(["qiniu-style", "check", "--uc-host", server.url]) == 0
    assert "matches" in capsys.readouterr().out
    [(method, path, headers, body)] = server.requests
    assert (method, path, body) == ("POST", "/v2/bucketInfo?bucket=kodo-photos", b"")
    assert headers["Host"] == server.url.removeprefix("http://")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert time.strptime(headers["X-Qiniu-Date"], "%Y%m%dT%H%M%SZ")
    assert headers["Authorization"] == qiniu_token(method, path, headers, body)


@pytest.mark.parametrize(("answer", "problem"), [
    ({"styles": {}, "separator": "-"}, "no style 'thumb50'"),
    ({"styles": {"thumb50": "imageView2/2/w/50/h/50"}, "separator": "-"},
     "style 'thumb50' is 'imageView2/2/w/50/h/50'"),
    ({"styles": {"thumb50": FIT_50}, "separator": "!"}, "separator '-' not allowed"),
    ({}, "no style 'thumb50' (styles: none)"),
])
def test_check_exits_1_naming_what_differs_and_how_to_fix_it(uc_host, capsys, answer, problem):
    server = uc_host(body=answer)
    assert main(["qiniu-style", "check", "--uc-host", server.url, "--bucket", "other-bucket"]) == 1
    err = capsys.readouterr().err
    assert problem in err and "bucket other-bucket" in err and FIT_50 in err
    assert server.requests[0][1] == "/v2/bucketInfo?bucket=other-bucket"


def test_check_reports_a_refusal_as_qiniu_refused(uc_host, capsys):
    server = uc_host(status=401, body={"error": "bad token"})
    assert main(["qiniu-style", "check", "--uc-host", server.url]) == 2
    err = capsys.readouterr().err
    assert "QiniuRefused" in err and "HTTP 401" in err and "bad token" in err


def test_check_fails_fast_with_qiniu_unreachable_when_nothing_listens(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: connections are refused
    assert main(["qiniu-style", "check", "--uc-host", f"http://127.0.0.1:{port}", "--timeout", "1"]) == 2
    assert "QiniuUnreachable" in capsys.readouterr().err


def test_check_gives_up_within_its_timeout_when_the_host_never_answers(capsys):
    with socket.socket() as sock:  # accepts connections (the backlog) but never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        code = main(["qiniu-style", "check", "--uc-host", f"http://127.0.0.1:{sock.getsockname()[1]}",
                     "--timeout", "0.5"])
        sock.setblocking(False)
        sock.accept()[0].close()  # it did connect (raises BlockingIOError otherwise) ...
        with pytest.raises(BlockingIOError):
            sock.accept()  # ... once: it gave up on its own timeout instead of retrying
    err = capsys.readouterr().err
    assert code == 2 and "QiniuUnreachable" in err
    assert "timed out" in err.lower() or "timeout" in err.lower(), err


def test_check_without_credentials_names_the_missing_variables(monkeypatch, capsys):
    for name in ("THUMBROUTER_QINIU_ACCESS_KEY", "THUMBROUTER_QINIU_SECRET_KEY", "THUMBROUTER_QINIU_BUCKET",
                 "THUMBROUTER_QINIU_DOMAIN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("THUMBROUTER_DOMESTIC_COUNTRIES", "")
    assert main(["qiniu-style", "check"]) == 2
    assert "THUMBROUTER_QINIU_ACCESS_KEY" in capsys.readouterr().err
