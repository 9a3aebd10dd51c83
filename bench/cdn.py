"""CloudFront signing: the router's CdnSigner (SHA-256) against botocore's CloudFrontSigner (SHA-1), and a
/v1 answer through the CDN against one of presigned S3 URLs.

CdnSigner replaces botocore's signer because botocore signs RSA-SHA1 only; this measures what that costs
per signature (both sign with `cryptography`'s RSA 2048) and what a CDN /v1 answer (two RSA signatures)
costs against two SigV4 presigned URLs. Cache off, so every call signs. Run: `.venv/bin/python -m bench cdn`
(writes bench/results/cdn.md).
"""

import datetime
import os
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "cdn.md"
CALLS = 2000
NOW = 1_767_225_600


def per_call(function, calls: int = CALLS) -> float:
    """Microseconds of CPU per call (best of three runs)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for index in range(calls):
            function(index)
        best = min(best, (time.process_time() - started) / calls * 1e6)
    return best


def signers():
    from botocore.signers import CloudFrontSigner
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    from thumbrouter.router.storage.cloudfront import CdnSigner

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ours = CdnSigner("d111111abcdef8.cloudfront.net", "K2JCJMDEHXQW5F", key)
    botocore = CloudFrontSigner("K2JCJMDEHXQW5F", lambda m: key.sign(m, padding.PKCS1v15(), hashes.SHA1()))
    expires = datetime.datetime.fromtimestamp(NOW + 3600, datetime.UTC)
    return ours, key, botocore, expires


def routers(pem: str):
    from thumbrouter.router.config import load_settings
    from thumbrouter.router.service import Router

    base = {"THUMBROUTER_S3_BUCKET": "demo", "THUMBROUTER_DOMESTIC_COUNTRIES": "", "THUMBROUTER_URL_CACHE_SIZE": "0",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
    os.environ.update({k: v for k, v in base.items() if k.startswith("AWS_")})
    cdn = {"THUMBROUTER_CDN_DOMAIN": "d111111abcdef8.cloudfront.net", "THUMBROUTER_CDN_KEY_ID": "K2JCJMDEHXQW5F",
           "THUMBROUTER_CDN_PRIVATE_KEY": pem}
    return Router.from_settings(load_settings(base)), Router.from_settings(load_settings(base | cdn))


def main() -> None:
    from cryptography.hazmat.primitives import serialization

    from bench.__main__ import machine
    from thumbrouter.router.storage.cloudfront import CdnSigner

    started = time.monotonic()
    ours, key, botocore, expires = signers()
    sha1 = CdnSigner(ours.domain, ours.key_id, key, hash_algorithm="SHA1")
    url = "https://d111111abcdef8.cloudfront.net/photos/a%20b_50x50.jpg"
    rows = [("botocore CloudFrontSigner, SHA-1", per_call(lambda i: botocore.generate_presigned_url(
                 url, date_less_than=expires))),
            ("CdnSigner, SHA-1", per_call(lambda i: sha1.sign(url, NOW + 3600 + i))),
            ("CdnSigner, SHA-256 (what the router uses)", per_call(lambda i: ours.sign(url, NOW + 3600 + i)))]
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    s3, cdn = routers(pem)
    answers = [("/v1 answer, S3 presigned (2 SigV4 URLs)", per_call(lambda i: s3.download_urls(f"p/{i}.jpg"), 500)),
               ("/v1 answer, CloudFront (2 RSA signatures)", per_call(lambda i: cdn.download_urls(f"p/{i}.jpg"), 500))]
    lines = ["## cdn", "",
             f"Machine: {machine()}  ",
             f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {time.monotonic() - started:.0f} s; "
             f"CPU microseconds per call, best of three runs of {CALLS} (answers: 500), URL cache off.", "",
             "| signing | us per call | ratio to the first row |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {us:.0f} | {us / rows[0][1]:.2f} |" for name, us in rows]
    lines += ["", "| /v1 answer | us per call | ratio to S3 |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {us:.0f} | {us / answers[0][1]:.2f} |" for name, us in answers]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
