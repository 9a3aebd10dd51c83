"""`thumbrouter dev`: the local S3, demo samples and real-shaped events delivered to the handler."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.lambda_handler.helpers import image_bytes
from thumbrouter.cli import dev

REPO = Path(__file__).resolve().parents[2]
RUN_DEV = ("import argparse, sys; from thumbrouter.cli import dev; p = argparse.ArgumentParser(); "
           "dev.add_arguments(p); sys.exit(dev.run(p.parse_args(sys.argv[1:])))")


def test_dev_once_seeds_the_demo_and_prints_thumbnails_made_by_the_handler(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "THN_BUCKET"}
    proc = subprocess.run([sys.executable, "-c", RUN_DEV, "--once", "--port", "0"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "local S3: http://127.0.0.1:" in out
    for original, thumb in [("photos/sunset.jpg", "photos/sunset_50x50.jpg"),
                            ("icons/logo with alpha.png", "icons/logo with alpha_50x50.png"),
                            ("photos/Café Zürich/sommer 2024 #1.jpg", "photos/Café Zürich/sommer 2024 #1_50x50.jpg")]:
        assert f"  {original}  ->  {thumb}" in out
    assert "  broken/not-an-image.jpg  ->  (none" in out
    assert '"outcome": "failed_permanent"' in proc.stderr and "X-Amz-Signature=" in out


def test_the_event_pump_delivers_encoded_real_shaped_events_once_per_new_object(s3, buckets):
    source, _ = buckets
    events = []
    pump = dev.EventPump(s3, source, lambda event, context: events.append(event))
    dev.seed_demo(s3, source, {"a b+c.jpg": image_bytes(), "100%.png": image_bytes("PNG")})
    assert sorted(pump.poll()) == ["100%.png", "a b+c.jpg"]
    objects = [event["Records"][0]["s3"]["object"] for event in events]
    assert sorted(o["key"] for o in objects) == ["100%25.png", "a+b%2Bc.jpg"]
    assert all(o["size"] > 0 and '"' not in o["eTag"] for o in objects)
    assert events[0]["Records"][0]["eventName"] == "ObjectCreated:Put"
    s3.put_object(Bucket=source, Key="later.gif", Body=image_bytes("GIF", mode="P"))
    assert pump.poll() == ["later.gif"] and pump.poll() == []


def test_seeding_twice_keeps_the_buckets_and_the_generated_samples_are_images(s3):
    bucket = f"demo-{uuid.uuid4().hex[:8]}"
    samples = dev.sample_images()
    assert {"photos/sunset.jpg", "icons/logo with alpha.png", "docs/readme.txt"} <= set(samples)
    dev.seed_demo(s3, bucket, {"x.jpg": samples["photos/sunset.jpg"]})
    dev.seed_demo(s3, bucket, {"y.jpg": samples["photos/sunset.jpg"]})
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} >= {bucket, f"{bucket}resized"}
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 2
