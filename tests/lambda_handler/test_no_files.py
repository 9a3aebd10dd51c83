"""The handler never writes a file: 200 invocations in a fresh process with an audit hook and an empty TMPDIR."""

import json
import os
import subprocess
import sys
import textwrap

from tests.lambda_handler.helpers import LAMBDA_DIR, image_bytes

# Runs in the child: every file opened for writing, created, renamed or removed is recorded by a
# Python audit hook (no patching), then 200 events go through the real handler.
CHILD = textwrap.dedent("""
    import json, os, sys
    writes = []

    def audit(event, args):
        if event == "open" and not isinstance(args[0], int):
            mode, flags = args[1] or "", args[2] or 0
            if set(mode) & set("wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                writes.append(str(args[0]))
        elif event in ("os.mkdir", "os.rename", "os.remove", "os.rmdir", "tempfile.mkstemp", "tempfile.mkdtemp"):
            writes.append(f"{event} {args[0]}")

    bucket, keys, sizes = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    import create_thumbnail
    sys.addaudithook(audit)
    outcomes = {}
    for i in range(200):
        key = keys[i % len(keys)]
        record = {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                  "s3": {"bucket": {"name": bucket}, "object": {"key": key.replace(" ", "+"), "size": sizes[key]}}}
        for status, count in create_thumbnail.handler({"Records": [record]}, None).items():
            outcomes[status] = outcomes.get(status, 0) + count
    print(json.dumps({"writes": writes, "outcomes": outcomes}))
""")


def test_two_hundred_invocations_write_no_file_anywhere(s3_server, s3, buckets, tmp_path):
    source, resized = buckets
    images = {"a photo.jpg": image_bytes("JPEG", (600, 400)), "alpha.png": image_bytes("PNG", mode="RGBA"),
              "anim.gif": image_bytes("GIF", mode="P")}
    for key, data in images.items():
        s3.put_object(Bucket=source, Key=key, Body=data)
    empty_tmp = tmp_path / "tmp"
    empty_tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(LAMBDA_DIR), "TMPDIR": str(empty_tmp), "TMP": str(empty_tmp),
           "TEMP": str(empty_tmp), "AWS_ENDPOINT_URL_S3": s3_server.url}
    sizes = {key: len(data) for key, data in images.items()}
    proc = subprocess.run([sys.executable, "-c", CHILD, source, json.dumps(list(images)), json.dumps(sizes)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["outcomes"] == {"created": 200, "retry": 0}
    assert report["writes"] == []
    assert os.listdir(empty_tmp) == []
    assert s3.list_objects_v2(Bucket=resized)["KeyCount"] == 3
