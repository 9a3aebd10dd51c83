"""The CDN's viewer-request function, run for real under Node: the same Accept rule as /thumb, row by row."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.accept import ACCEPT_ROWS, CHROME
from tests.terraform.support import MODULES
from thumbrouter.imagecore import VARIANT_EXTENSIONS, thumbnail_key, variant_key
from thumbrouter.router.ondemand.negotiation import negotiate

FUNCTION = MODULES["cdn"] / "functions" / "viewer_request.js"
RUNNER = Path(__file__).with_name("cloudfront_function_runner.js")
NODE = shutil.which("node") or "/usr/bin/node"
# CloudFront Functions take at most 10 KB of code.
MAX_FUNCTION_BYTES = 10_240

pytestmark = pytest.mark.skipif(not Path(NODE).exists(), reason="Node (Debian's nodejs) runs the function")


def run_function(requests: list[dict]) -> list[dict]:
    """What the function returns for each viewer request ({uri, headers})."""
    events = [{"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "192.0.2.1"},
               "request": {"method": "GET", "querystring": {}, "cookies": {}, **request}} for request in requests]
    done = subprocess.run([NODE, str(RUNNER), str(FUNCTION)], input=json.dumps(events), capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def request_for(uri: str, accept: str | None) -> dict:
    return {"uri": uri, "headers": {} if accept is None else {"accept": {"value": accept}}}


def token(fmt: str | None) -> str:
    return fmt.lower() if fmt else "none"


def test_the_function_and_the_router_agree_on_every_accept_row():
    answers = run_function([request_for("/a_50x50.jpg", accept) for accept, _ in ACCEPT_ROWS])
    router = [token(negotiate(accept, tuple(VARIANT_EXTENSIONS))) for accept, _ in ACCEPT_ROWS]
    edge = [answer["headers"]["x-thumb-format"]["value"] for answer in answers]
    assert edge == router == [token(expected) for _, expected in ACCEPT_ROWS]


def test_only_the_token_is_added_and_the_raw_accept_is_left_for_nothing_to_key_on():
    answer = run_function([request_for("/a_50x50.jpg", CHROME)])[0]
    assert answer["headers"]["x-thumb-format"] == {"value": "avif"}
    assert set(answer["headers"]) == {"accept", "x-thumb-format"}


@pytest.mark.parametrize("original", ["dir/a b.jpg", "IMG_1.HEIC", "photo.png", "x.webp"])
@pytest.mark.parametrize("accept", [CHROME, "image/webp,*/*", "*/*"])
def test_the_origin_is_asked_for_the_variant_key_the_router_writes(original, accept):
    fmt = negotiate(accept, tuple(VARIANT_EXTENSIONS))
    thumbnail = thumbnail_key(original, "50x50")
    expected = variant_key(original, "50x50", fmt) if fmt else thumbnail
    assert run_function([request_for("/" + thumbnail, accept)])[0]["uri"] == "/" + expected


def test_originals_lose_their_prefix_and_gain_no_format():
    answer = run_function([request_for("/originals/dir/a.jpg", CHROME)])[0]
    assert answer["uri"] == "/dir/a.jpg" and "x-thumb-format" not in answer["headers"]


def test_the_function_fits_cloudfronts_code_size_limit():
    assert FUNCTION.stat().st_size <= MAX_FUNCTION_BYTES
