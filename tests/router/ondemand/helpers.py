"""Shared pieces of the on-demand tests: app settings for the local S3 server and generated images."""

import io

from PIL import Image

SIGNING_KEY = "signing-key-0123456789abcdef"
TOKEN = "api-token-0123456789abcdef"


def app_env(s3_server, bucket: str, redis_url: str | None = None, **extra: str) -> dict:
    """THUMBROUTER_* settings for a router serving `bucket` on the local S3 server."""
    env = {
        "THUMBROUTER_S3_BUCKET": bucket, "THUMBROUTER_DOMESTIC_COUNTRIES": "",
        "THUMBROUTER_ALLOW_ANONYMOUS": "1", "AWS_ENDPOINT_URL_S3": s3_server.url, "AWS_REGION": "us-east-1",
        "THUMBROUTER_GENERATION_POOL_SIZE": "2", "THUMBROUTER_GENERATION_QUEUE_SIZE": "8",
    }
    if redis_url:
        env["THUMBROUTER_REDIS_URL"] = redis_url
    return env | {f"THUMBROUTER_{k.upper()}": v for k, v in extra.items()}


def jpeg(size=(400, 300)) -> bytes:
    """A gradient JPEG of the given size."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
