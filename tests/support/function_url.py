"""The router's Lambda artifact run offline: Function URL events, a fresh interpreter, a local HTTP front.

`function_url_event` builds a payload v2 event as AWS's Lambda Function URL documentation shows it
(lower-case headers, repeated values comma-joined, cookies apart, the client in requestContext.http.sourceIp).
`ArtifactProcess` unzips a router zip and runs `router_lambda.handler` in a fresh interpreter (`python -S`:
no site-packages, only the zip and what the Lambda runtime provides), one event per stdin line; its stdout
lines are EMF and log lines, answers come back marked. `LocalFront` is a loopback HTTP server that turns
each request into an event for that process, the way the Function URL fronts the function on AWS.
`LambdaInvokeServer` answers the Lambda Invoke API over HTTP with a Python function (the on-demand handler).
"""

import base64
import importlib.util
import json
import os
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.servers import free_port

# What the Lambda runtime provides besides the zip: boto3 and its dependencies, nothing else.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
MARK = "\x1eANSWER "
RUNNER = f"""
import json, sys
answers = sys.stdout
import router_lambda
for line in sys.stdin:
    answer = router_lambda.handler(json.loads(line), None)
    answers.write({MARK!r} + json.dumps(answer) + "\\n")
    answers.flush()
"""
URL_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"


def function_url_event(method: str, path: str, query: str = "", *, headers: dict | None = None,
                       body: bytes = b"", source_ip: str = "203.0.113.7", cookies: list[str] | None = None) -> dict:
    """A Function URL (payload v2) event; the body is base64-encoded unless it is text."""
    lowered = {"host": URL_HOST, "x-forwarded-proto": "https", "x-forwarded-port": "443",
               "x-forwarded-for": source_ip, "x-amzn-trace-id": "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e",
               "user-agent": "test-agent/1.0"}
    for name, value in (headers or {}).items():
        lowered[name.lower()] = f"{lowered[name.lower()]},{value}" if name.lower() in lowered else value
    text_body = lowered.get("content-type", "").startswith(("application/json", "text/"))
    params: dict[str, str] = {}
    for pair in filter(None, query.split("&")):
        name, _, value = pair.partition("=")
        params[name] = f"{params[name]},{value}" if name in params else value
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": lowered, "requestContext": {
            "accountId": "anonymous", "apiId": URL_HOST.split(".")[0], "domainName": URL_HOST,
            "domainPrefix": URL_HOST.split(".")[0], "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "routeKey": "$default", "stage": "$default", "time": "07/Dec/2026:01:15:00 +0000",
            "timeEpoch": 1796606100000,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": lowered["user-agent"]}},
        "isBase64Encoded": bool(body) and not text_body,
    }
    if params:
        event["queryStringParameters"] = params
    if cookies:
        event["cookies"] = cookies
    if body:
        event["body"] = body.decode() if text_body else base64.b64encode(body).decode()
    return event


def answer_body(answer: dict) -> bytes:
    body = answer.get("body", "")
    return base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()


def lambda_runtime_dir(where: Path) -> Path:
    """A directory holding only boto3 and its dependencies, as the Lambda runtime does."""
    where.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        origin = Path(importlib.util.find_spec(name).origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        if not (where / source.name).exists():
            (where / source.name).symlink_to(source)
    return where


def unzip(zip_path: Path, where: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(where)
    return where


class ArtifactProcess:
    """`router_lambda` from an unzipped artifact in its own fresh interpreter; `invoke(event)` -> answer."""

    def __init__(self, task_dir: Path, runtime_dir: Path, environ: dict[str, str]):
        env = {"PYTHONPATH": f"{task_dir}:{runtime_dir}", "PYTHONDONTWRITEBYTECODE": "1", "PATH": os.defpath,
               "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
               "AWS_EC2_METADATA_DISABLED": "true", **environ}
        self.logs: list[str] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen([sys.executable, "-S", "-u", "-c", RUNNER], env=env, cwd=task_dir,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)

    def invoke(self, event: dict) -> dict:
        """Send one event and wait for its answer. Raises RuntimeError when the process died."""
        with self._lock:
            assert self.process.stdin is not None and self.process.stdout is not None
            try:
                self.process.stdin.write(json.dumps(event) + "\n")
                self.process.stdin.flush()
            except BrokenPipeError:
                pass  # the process died (at init, say): reading below reports why
            for line in self.process.stdout:
                if line.startswith(MARK):
                    return json.loads(line[len(MARK):])
                self.logs.append(line.rstrip("\n"))
        raise RuntimeError(f"the router process ended: {self.stop()}")

    def emf_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.logs if line.startswith("{") and '"_aws"' in line]

    def stop(self) -> str:
        """End the process; returns its stderr."""
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.stderr.read() if self.process.stderr else ""  # type: ignore[union-attr]


class LocalFront:
    """A loopback HTTP server in front of an ArtifactProcess, as the Function URL fronts the function."""

    def __init__(self, function: ArtifactProcess):
        front = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                front.relay(self)

            do_POST = do_PUT = do_HEAD = do_DELETE = do_GET

            def log_message(self, *args):
                pass

        self.function = function
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LocalFront":
        self.thread.start()
        return self

    def relay(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        cookies = [c.strip() for c in headers.pop("Cookie", "").split(";") if c.strip()]
        event = function_url_event(request.command, parts.path, parts.query, headers=headers, body=body,
                                   source_ip=request.client_address[0], cookies=cookies)
        answer = self.function.invoke(event)
        payload = answer_body(answer)
        request.send_response(answer["statusCode"])
        for name, value in answer.get("headers", {}).items():
            if name.lower() not in ("content-length", "connection"):
                request.send_header(name, value)
        for cookie in answer.get("cookies", []):
            request.send_header("Set-Cookie", cookie)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(payload)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class LambdaInvokeServer:
    """The Lambda Invoke API (POST /2015-03-31/functions/NAME/invocations) over loopback HTTP."""

    def __init__(self, handler):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
                error = None
                try:
                    answer = handler(event, None)
                except Exception as exc:  # noqa: BLE001 -- the runtime reports any handler exception as a FunctionError
                    answer, error = {"errorMessage": str(exc), "errorType": type(exc).__name__}, "Unhandled"
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if error:
                    self.send_header("X-Amz-Function-Error", error)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
