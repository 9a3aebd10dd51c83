"""The CDN's viewer-request function as Terraform renders it, run under Node: the same Accept rule as /thumb."""

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from tests.support.accept import ACCEPT_ROWS, CHROME
from tests.terraform.support import MODULES, evaluate, resource
from thumbrouter.imagecore import VARIANT_EXTENSIONS, thumbnail_key, variant_key
from thumbrouter.router.ondemand.negotiation import negotiate

CDN = MODULES["cdn"]
RUNNER = Path(__file__).with_name("cloudfront_function_runner.js")
NODE = shutil.which("node") or "/usr/bin/node"
# CloudFront Functions take at most 10 KB of code.
MAX_FUNCTION_BYTES = 10_240

pytestmark = pytest.mark.skipif(not Path(NODE).exists(), reason="Node (Debian's nodejs) runs the function")


PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"
BUCKET = {"name": "demo", "regional_domain_name": "demo.s3.us-east-1.amazonaws.com"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The function's code (a file) per failover setting, rendered by the module's function.tf."""

    @cache
    def render(with_router: bool) -> Path:
        work = tmp_path_factory.mktemp("cdn-function")
        templates = tuple(str(path.relative_to(CDN)) for path in sorted((CDN / "functions").iterdir()))
        variables = {"name": "x", "resized_bucket": BUCKET, "source_bucket": BUCKET,
                     "signing_public_keys": [{"name": "k", "pem": PEM}]}
        if with_router:
            variables["router_origin"] = {"domain_name": "router.example.com", "secret_id": "origin"}
        code = evaluate(CDN, ("function.tf", *templates), {"code": "local.viewer_request_code"}, variables)["code"]
        (work / "rendered.js").write_text(code)
        return work / "rendered.js"

    return render


@pytest.fixture
def run_function(rendered):
    """What the function (with the router as failover origin) returns for each viewer request."""
    return lambda requests, with_router=True: run(rendered(with_router), requests)


def run(function: Path, requests: list[dict]) -> list[dict]:
    """What `function` returns for each viewer request ({uri, headers}), run by Node."""
    events = [{"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "192.0.2.1"},
               "request": {"method": "GET", "querystring": {}, "cookies": {}, **request}} for request in requests]
    done = subprocess.run([NODE, str(RUNNER), str(function)], input=json.dumps(events), capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def request_for(uri: str, accept: str | None) -> dict:
    return {"uri": uri, "headers": {} if accept is None else {"accept": {"value": accept}}}


def token(fmt: str | None) -> str:
    return fmt.lower() if fmt else "none"


def test_the_function_and_the_router_agree_on_every_accept_row(run_function):
    answers = run_function([request_for("/a_50x50.jpg", accept) for accept, _ in ACCEPT_ROWS])
    router = [token(negotiate(accept, tuple(VARIANT_EXTENSIONS))) for accept, _ in ACCEPT_ROWS]
    edge = [answer["headers"]["x-thumb-format"]["value"] for answer in answers]
    assert edge == router == [token(expected) for _, expected in ACCEPT_ROWS]


def test_only_the_token_is_added_and_the_raw_accept_is_left_for_nothing_to_key_on(run_function):
    answer = run_function([request_for("/a_50x50.jpg", CHROME)])[0]
    assert answer["headers"]["x-thumb-format"] == {"value": "avif"}
    assert set(answer["headers"]) == {"accept", "x-thumb-format"}


@pytest.mark.parametrize("original", ["dir/a b.jpg", "IMG_1.HEIC", "photo.png", "x.webp"])
@pytest.mark.parametrize("accept", [CHROME, "image/webp,*/*", "*/*"])
def test_the_origin_is_asked_for_the_variant_key_the_router_writes(run_function, original, accept):
    fmt = negotiate(accept, tuple(VARIANT_EXTENSIONS))
    thumbnail = thumbnail_key(original, "50x50")
    expected = variant_key(original, "50x50", fmt) if fmt else thumbnail
    assert run_function([request_for("/" + thumbnail, accept)])[0]["uri"] == "/" + expected


def test_originals_lose_their_prefix_and_gain_no_format(run_function):
    answer = run_function([request_for("/originals/dir/a.jpg", CHROME)])[0]
    assert answer["uri"] == "/dir/a.jpg" and "x-thumb-format" not in answer["headers"]


def test_without_the_router_as_failover_every_viewer_gets_the_stored_thumbnail(run_function):
    answers = run_function([request_for("/a_50x50.jpg", accept) for accept, _ in ACCEPT_ROWS], with_router=False)
    assert {(a["uri"], a["headers"]["x-thumb-format"]["value"]) for a in answers} == {("/a_50x50.jpg", "none")}


def test_the_function_fits_cloudfronts_code_size_limit(rendered):
    assert rendered(True).stat().st_size <= MAX_FUNCTION_BYTES
    assert resource(CDN, "aws_cloudfront_function", "viewer_request")["code"] == "${local.viewer_request_code}"
