"""`thumbrouter dev`'s router: anonymous on loopback only, and the printed curl commands really fetch images."""

import io
import subprocess

import pytest
from PIL import Image

from thumbrouter.cli.dev_router import report, start_router
from thumbrouter.imagecore import thumbnail_key
from thumbrouter.router.config import ConfigError


def jpeg(size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_the_anonymous_dev_router_refuses_addresses_beyond_loopback(s3_server, host):
    with pytest.raises(ConfigError, match="loopback"):
        start_router("demo", host=host, port=0)


def test_the_printed_curl_commands_fetch_the_original_and_the_thumbnail(s3, buckets, capsys, tmp_path):
    source, resized = buckets
    key, original, small = "photos/beach day.jpg", jpeg((320, 200)), jpeg((50, 31))
    s3.put_object(Bucket=source, Key=key, Body=original)
    s3.put_object(Bucket=resized, Key=thumbnail_key(key), Body=small)
    router = start_router(source, port=0)
    try:
        report(router, key)
        out = capsys.readouterr().out
        assert "download 200" in out and "thumbnail 200" in out
        assert "cannot be fetched offline" in out
        assert "for this machine's loopback only" in out and "behind router/nginx.conf" in out
        for line in out.splitlines():
            if line.strip().startswith("curl -s -o "):
                command = line.split("   #")[0].strip()
                subprocess.run(["bash", "-c", command], cwd=tmp_path, check=True, timeout=30)
    finally:
        router.stop()
    assert (tmp_path / "original.jpg").read_bytes() == original
    assert (tmp_path / "thumbnail.jpg").read_bytes() == small


def test_the_dev_router_serves_without_a_token(s3_server, capsys):
    import requests

    router = start_router("demo", port=0)
    try:
        assert requests.get(f"{router.base}/v1/download-urls?key=a.jpg&cloud=s3", timeout=10).status_code == 200
    finally:
        router.stop()
