"""Run a local S3 with demo buckets and sample images; new objects get thumbnails from the Lambda handler.

The embedded default (`make run`): moto's S3 server on 127.0.0.1, buckets `demo` and
`demoresized`, generated samples (plus a few mate-backgrounds photos when installed), and an
event pump that turns new objects into real-shaped S3 ObjectCreated events for
lambda/create_thumbnail.handler -- the local stand-in for the bucket notification.
"""

import argparse
import importlib
import io
import logging
import os
import shlex
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

import boto3
from botocore.config import Config
from PIL import Image, ImageDraw

from thumbrouter.imagecore import thumbnail_key
from thumbrouter.s3job import ThumbnailSpec

from . import dev_router

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

LOOPBACK = "127.0.0.1"
LAMBDA_DIR = Path(__file__).resolve().parents[2] / "lambda"
MATE_PHOTOS = ("/usr/share/backgrounds/mate/nature/Aqua.jpg", "/usr/share/backgrounds/mate/abstract/Spring.png")
# Local-only credentials: the real ones (if any) must never be sent, not even to loopback.
LOCAL_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
             "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=5000,
                        help="local S3 port (default 5000; a free one if taken; 0 = any)")
    parser.add_argument("--bucket", default="demo", help="source bucket (thumbnails go to <bucket>resized)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between event polls")
    parser.add_argument("--once", action="store_true", help="exit after seeding and thumbnailing the samples")
    dev_router.add_arguments(parser)


@dataclass
class LocalS3:
    """A running moto S3 server and the endpoint the environment now points at."""

    server: "ThreadedMotoServer"
    endpoint: str

    def client(self):
        return boto3.session.Session().client("s3", endpoint_url=self.endpoint, config=Config(signature_version="s3v4"))

    def stop(self) -> None:
        self.server.stop()


def start_local_s3(port: int = 5000) -> LocalS3:
    """Start moto's S3 on 127.0.0.1 and point this process's AWS environment at it (dummy credentials)."""
    from moto.server import ThreadedMotoServer  # a dev/test dependency, not needed by the router

    port = port if port and _port_free(port) else _free_port()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    endpoint = f"http://{LOOPBACK}:{port}"
    os.environ.update(LOCAL_ENV, AWS_ENDPOINT_URL_S3=endpoint)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
    server.start()
    _wait_listening(port)
    return LocalS3(server, endpoint)


def sample_images() -> dict[str, bytes]:
    """Generated samples (JPEG, PNG with alpha, WebP, GIF, tricky keys, junk) plus installed photos."""
    base = Image.radial_gradient("L").resize((1600, 1000)).convert("RGB")
    ImageDraw.Draw(base).ellipse((500, 200, 1100, 800), fill=(230, 120, 30))
    logo = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((40, 40, 360, 360), fill=(20, 110, 200, 255))
    frames = [Image.new("P", (120, 120), i * 60) for i in range(3)]
    samples = {
        "photos/sunset.jpg": _encode(base, "JPEG"),
        "icons/logo with alpha.png": _encode(logo, "PNG"),
        "photos/Café Zürich/sommer 2024 #1.jpg": _encode(base.rotate(90, expand=True), "JPEG"),
        "photos/poster.webp": _encode(base, "WEBP"),
        "animated/spinner.gif": _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], loop=0),
        "docs/readme.txt": b"not an image: skipped by extension\n",
        "broken/not-an-image.jpg": b"text with a .jpg name: a permanent failure, logged\n",
    }
    for path in map(Path, MATE_PHOTOS):
        if path.is_file():
            samples[f"mate/{path.name}"] = path.read_bytes()
    return samples


def seed_demo(s3, bucket: str = "demo", samples: dict[str, bytes] | None = None) -> list[str]:
    """Create `bucket` and its thumbnail bucket (if missing) and upload the samples; return their keys."""
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for name in (bucket, ThumbnailSpec.from_env(os.environ).destination(bucket)):
        if name not in existing:
            s3.create_bucket(Bucket=name)
    samples = sample_images() if samples is None else samples
    for key, data in samples.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    return list(samples)


class EventPump:
    """Polls a bucket and delivers one S3 ObjectCreated event per new or changed object to `handler`."""

    def __init__(self, s3, bucket: str, handler):
        self.s3, self.bucket, self.handler = s3, bucket, handler
        self.seen: dict[str, str] = {}  # key -> ETag delivered; as big as the demo bucket

    def poll(self) -> list[str]:
        """Deliver events for what changed since the last poll; return those keys."""
        delivered = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for obj in page.get("Contents", []):
                if self.seen.get(obj["Key"]) != obj["ETag"]:
                    self.seen[obj["Key"]] = obj["ETag"]
                    self._deliver(obj)
                    delivered.append(obj["Key"])
        return delivered

    def run_forever(self, interval: float, stop: threading.Event | None = None) -> None:
        """Poll every `interval` seconds until `stop` is set (run it in a thread to serve alongside)."""
        stop = stop or threading.Event()
        while not stop.wait(interval):
            try:
                self.poll()
            except Exception as exc:  # noqa: BLE001 -- a failed poll (server restarting) is retried next tick
                print(f"polling s3://{self.bucket} failed: {exc}", file=sys.stderr)

    def _deliver(self, obj: dict) -> None:
        try:
            self.handler(s3_created_event(self.bucket, obj), None)
        except Exception as exc:  # noqa: BLE001 -- in AWS this would be retried; here we say so and go on
            print(f"handler raised for {obj['Key']!r}: {exc}", file=sys.stderr)


def s3_created_event(bucket: str, obj: dict) -> dict:
    """An ObjectCreated:Put event shaped as S3 sends it (URL-encoded key, size, unquoted eTag)."""
    record = {
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": os.environ.get("AWS_REGION", "us-east-1"),
        "eventTime": obj["LastModified"].strftime("%Y-%m-%dT%H:%M:%S.000Z"), "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "thumbrouter-dev",
               "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": quote_plus(obj["Key"], safe="/"), "size": obj["Size"],
                          "eTag": obj["ETag"].strip('"'), "sequencer": f"{time.time_ns():016X}"}},
    }
    return {"Records": [record]}


def load_handler():
    """lambda/create_thumbnail.handler, imported the way the Lambda runtime does (lambda/ on sys.path)."""
    if str(LAMBDA_DIR) not in sys.path:
        sys.path.insert(0, str(LAMBDA_DIR))
    return importlib.import_module("create_thumbnail").handler


def report(s3, local: LocalS3, bucket: str, keys: list[str]) -> None:
    """Print the endpoint, each sample and its thumbnails, and how to try it by hand."""
    spec = ThumbnailSpec.from_env(os.environ)
    dest = spec.destination(bucket)
    made = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=dest)
            for o in page.get("Contents", [])}
    print(f"local S3: {local.endpoint}  (access key 'testing', secret 'testing', region us-east-1)")
    print(f"originals in s3://{bucket}, thumbnails in s3://{dest}:")
    for key in keys:
        thumbs = [thumbnail_key(key, size) for size in spec.sizes if thumbnail_key(key, size) in made]
        print(f"  {key}  ->  {', '.join(thumbs) if thumbs else '(none: skipped or failed, see the log above)'}")
    example = next((k for k in keys if thumbnail_key(k, spec.sizes[0]) in made), None)
    env = ("AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 "
           f"AWS_ENDPOINT_URL_S3={local.endpoint}")
    print("try it:")
    print(f"  {env} aws s3 cp ./photo.jpg s3://{bucket}/photo.jpg")
    print(f"  {env} aws s3 ls --recursive s3://{dest}")
    if example:
        params = {"Bucket": dest, "Key": thumbnail_key(example, spec.sizes[0])}
        url = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=3600)
        print(f"  curl -o thumb{Path(example).suffix} {shlex.quote(url)}")


def run(args: argparse.Namespace) -> int:
    # The handler's JSON lines only; moto's access log and botocore's chatter stay quiet.
    logging.getLogger("thumbrouter.s3job").addHandler(logging.StreamHandler(sys.stderr))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    local = start_local_s3(args.port)
    router = None
    try:
        s3 = local.client()
        keys = seed_demo(s3, args.bucket)
        pump = EventPump(s3, args.bucket, load_handler())
        pump.poll()
        report(s3, local, args.bucket, keys)
        if not args.no_router:
            router = dev_router.start_router(args.bucket, args.router_host, args.router_port)
            dev_router.report(router, _example_key(s3, args.bucket, keys))
        if not args.once:
            print(f"watching s3://{args.bucket} for new objects every {args.interval}s; Ctrl-C to stop", flush=True)
            pump.run_forever(args.interval)
    except KeyboardInterrupt:
        pass
    finally:
        if router is not None:
            router.stop()
        local.stop()
    return 0


def _example_key(s3, bucket: str, keys: list[str]) -> str | None:
    """A sample whose thumbnail exists, to show both URLs working."""
    spec = ThumbnailSpec.from_env(os.environ)
    dest = spec.destination(bucket)
    for key in keys:
        try:
            s3.head_object(Bucket=dest, Key=thumbnail_key(key, spec.sizes[0]))
            return key
        except Exception:  # noqa: BLE001 -- no thumbnail for this one (skipped or failed): try the next
            continue
    return None


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((LOOPBACK, port)) != 0


def _wait_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while _port_free(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"local S3 did not start listening on {LOOPBACK}:{port}")
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]
