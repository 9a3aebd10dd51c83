"""image-buckets' upload_cors: the source bucket's CORS rule, rendered by real Terraform (cors.tf's locals)."""

import pytest

from tests.terraform.support import MODULES, TerraformError, evaluate, resource
from thumbrouter.router.storage.s3 import S3Storage

BUCKETS = MODULES["image-buckets"]
# Set by the browser itself: never in a preflight's Access-Control-Request-Headers.
BROWSER_SET = {"content-length"}


def rules(upload_cors: dict | None = None) -> list[dict]:
    variables = {"source_bucket": "demo"} | ({"upload_cors": upload_cors} if upload_cors is not None else {})
    return evaluate(BUCKETS, ("cors.tf",), {"rules": "local.upload_cors_rules"}, variables)["rules"]


def test_no_site_may_upload_from_a_browser_by_default():
    assert rules() == []
    assert resource(BUCKETS, "aws_s3_bucket_cors_configuration", "source")["count"] == (
        "${length(local.upload_cors_rules) == 0 ? 0 : 1}")


def test_named_sites_may_put_with_exactly_the_headers_the_upload_target_signs(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    signed = S3Storage("demo", region="us-east-1").upload("a.jpg", content_type="image/jpeg", size=10, expires=60)
    [rule] = rules({"allowed_origins": ["https://app.example.com", "http://127.0.0.1:8080"],
                    "max_age_seconds": 600})
    assert rule == {"id": "browser-uploads", "allowed_methods": [signed.method],
                    "allowed_origins": ["https://app.example.com", "http://127.0.0.1:8080"],
                    "allowed_headers": sorted({name.lower() for name in signed.headers} - BROWSER_SET),
                    "expose_headers": ["ETag"], "max_age_seconds": 600}


@pytest.mark.parametrize("origins", [["*"], ["https://*.example.com"], ["https://app.example.com/"],
                                     ["app.example.com"], ["https://app.example.com/upload"]])
def test_wildcards_paths_and_bare_hosts_are_refused(origins):
    with pytest.raises(TerraformError, match="upload_cors.allowed_origins must be origins"):
        rules({"allowed_origins": origins})
