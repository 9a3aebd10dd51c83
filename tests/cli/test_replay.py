"""replay: the failure queue (the local SQS, found through real Terraform outputs) drained through the job.

Each message is an on-failure destination record as Lambda writes it for an asynchronous invocation
(AWS Lambda developer guide, "Capturing records of Lambda asynchronous invocations"): `version`,
`timestamp`, `requestContext` (requestId, functionArn, condition, approximateInvokeCount),
`requestPayload` (the S3 event), `responseContext` and `responsePayload` (the error).
"""

import json
import os
import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path

import boto3
import pytest

from tests.lambda_handler.helpers import image_bytes, s3_event, s3_record
from thumbrouter.cli import main

SHIM = Path(sysconfig.get_path("scripts")) / "terraform"
ROOT = """
terraform {
  backend "local" {}
}

variable "queue_url" {
  type = string
}

variable "source_bucket" {
  type = string
}

output "dead_letter_queue_url" {
  value = var.queue_url
}

output "region" {
  value = "us-east-1"
}

output "thumbnail_spec" {
  value = {
    dest_bucket   = "${var.source_bucket}resized"
    sizes         = ["50x50", "20x20"]
    mode          = "fit"
    jpeg_quality  = 80
    cache_control = "public, max-age=60"
  }
}
"""
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:CreateThumbnail"


def destination_record(event: dict, error: str = "BatchRetryError: 1 record(s) must be retried") -> dict:
    """What Lambda sends to an on-failure destination after the last retry of an asynchronous invocation."""
    request_id = str(uuid.uuid4())
    return {
        "version": "1.0", "timestamp": "2026-12-07T01:00:00.000Z",
        "requestContext": {"requestId": request_id, "functionArn": f"{FUNCTION_ARN}:$LATEST",
                           "condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": error, "errorType": "BatchRetryError", "requestId": request_id,
                            "stackTrace": ['  File "/var/task/create_thumbnail.py", line 19, in handler\n']},
    }


def terraform(workdir: Path, *args: str) -> None:
    environ = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    environ.pop("TERRAFORM_BIN", None)
    done = subprocess.run([str(SHIM), *args], cwd=workdir, capture_output=True, text=True, env=environ, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def stack(s3_server, tmp_path_factory):
    """(source bucket, resized bucket, queue URL, environments dir): an environment applied by real Terraform
    whose outputs name a queue and buckets on the local server."""
    s3 = boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1")
    sqs = boto3.client("sqs", endpoint_url=s3_server.url, region_name="us-east-1")
    source = f"replay-{uuid.uuid4().hex[:10]}"
    for bucket in (source, f"{source}resized"):
        s3.create_bucket(Bucket=bucket)
    queue_url = sqs.create_queue(QueueName=f"CreateThumbnail-failures-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    root = tmp_path_factory.mktemp("replay") / "environments"
    env = root / "test"
    env.mkdir(parents=True)
    (env / "main.tf").write_text(ROOT)
    (env / "backend.hcl").write_text(f'path = "{root.parent}/test.tfstate"\n')
    terraform(env, "init", "-input=false", "-backend-config=backend.hcl")
    terraform(env, "apply", "-input=false", "-auto-approve", f"-var=queue_url={queue_url}",
              f"-var=source_bucket={source}")
    return source, f"{source}resized", queue_url, root


@pytest.fixture
def queue(stack, s3_server, monkeypatch):
    """The stack's failure queue, emptied; SQS calls of the CLI go to the local server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", s3_server.url)
    monkeypatch.delenv("TERRAFORM_BIN", raising=False)
    for name in ("THN_BUCKET", "THUMBNAIL_SIZES"):
        monkeypatch.delenv(name, raising=False)
    sqs = boto3.client("sqs", endpoint_url=s3_server.url, region_name="us-east-1")
    while messages := sqs.receive_message(QueueUrl=stack[2], MaxNumberOfMessages=10).get("Messages"):
        sqs.delete_message_batch(QueueUrl=stack[2], Entries=[
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)])
    return sqs


def replay(stack, capfd, *args: str):
    code = main(["replay", "test", *args, "--environments-dir", str(stack[3])])
    out, err = capfd.readouterr()
    return code, out, err


def send(sqs, stack, body) -> None:
    sqs.send_message(QueueUrl=stack[2], MessageBody=body if isinstance(body, str) else json.dumps(body))


def visible(sqs, stack) -> list[dict]:
    """Every message that can be received now (each received once; made visible again)."""
    messages = sqs.receive_message(QueueUrl=stack[2], MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    for message in messages:
        sqs.change_message_visibility(QueueUrl=stack[2], ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return messages


def upload(s3, bucket: str, key: str) -> dict:
    body = image_bytes(size=(200, 100))
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return s3_record(bucket, key, size=len(body))


def keys(s3, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_replay_drains_the_queue_through_the_job_with_the_spec_terraform_gave_the_function(stack, queue, s3, capfd):
    source, resized, _, _ = stack
    prefix = uuid.uuid4().hex[:6]
    for name in ("a", "b c"):
        send(queue, stack, destination_record(s3_event(upload(s3, source, f"{prefix}/{name}.jpg"))))
    code, out, err = replay(stack, capfd)
    assert code == 0, err
    assert "messages: replayed 2, failed 0, malformed 0" in out and "records: created 2" in out
    # both sizes of the thumbnail_spec output, and its Cache-Control
    assert [k for k in keys(s3, resized) if k.startswith(prefix)] == [
        f"{prefix}/a_20x20.jpg", f"{prefix}/a_50x50.jpg", f"{prefix}/b c_20x20.jpg", f"{prefix}/b c_50x50.jpg"]
    assert s3.head_object(Bucket=resized, Key=f"{prefix}/a_50x50.jpg")["CacheControl"] == "public, max-age=60"
    assert visible(queue, stack) == []


def test_a_message_whose_record_still_fails_is_kept_visible_and_the_exit_code_is_1(stack, queue, s3, capfd):
    source, resized, _, _ = stack
    good = upload(s3, source, f"{uuid.uuid4().hex[:6]}.jpg")
    send(queue, stack, destination_record(s3_event(good)))
    send(queue, stack, destination_record(s3_event(s3_record(source, "never-uploaded.jpg"))))
    code, out, err = replay(stack, capfd)
    assert code == 1
    assert "messages: replayed 1, failed 1, malformed 0" in out
    assert "failed: message" in err and "s3://" + source + "/never-uploaded.jpg" in err
    left = visible(queue, stack)  # released at the end, not hidden for the visibility timeout
    assert [json.loads(m["Body"])["requestPayload"]["Records"][0]["s3"]["object"]["key"] for m in left] == [
        "never-uploaded.jpg"]


def test_a_dead_letter_queues_bare_s3_event_is_replayed_too(stack, queue, s3, capfd):
    source, resized, _, _ = stack
    record = upload(s3, source, f"bare-{uuid.uuid4().hex[:6]}.jpg")
    send(queue, stack, s3_event(record))
    assert replay(stack, capfd)[0] == 0
    assert s3.head_object(Bucket=resized, Key=record["s3"]["object"]["key"].replace(".jpg", "_50x50.jpg"))


@pytest.mark.parametrize("body", ["not json", "[1, 2]", json.dumps({"version": "1.0", "requestContext": {}}),
                                  json.dumps({"requestPayload": "Records"})])
def test_a_malformed_message_is_kept_and_fails_the_run(stack, queue, capfd, body):
    send(queue, stack, body)
    code, out, err = replay(stack, capfd)
    assert code == 1 and "malformed 1" in out and "malformed: message" in err
    assert [m["Body"] for m in visible(queue, stack)] == [body]


def test_a_dry_run_lists_what_and_why_and_changes_nothing(stack, queue, s3, capfd):
    source, resized, _, _ = stack
    key = f"dry-{uuid.uuid4().hex[:6]}.jpg"
    send(queue, stack, destination_record(s3_event(upload(s3, source, key)), error="GET s3://x/y: AccessDenied"))
    code, out, err = replay(stack, capfd, "--dry-run")
    assert code == 0
    assert "dry run: messages: would_replay 1, malformed 0" in out
    assert f"s3://{source}/{key} (RetriesExhausted after 3 attempts: GET s3://x/y: AccessDenied)" in err
    assert not [k for k in keys(s3, resized) if k.startswith("dry-")]
    assert len(visible(queue, stack)) == 1


def test_max_stops_after_n_messages(stack, queue, s3, capfd):
    source, _, _, _ = stack
    for _ in range(3):
        send(queue, stack, destination_record(s3_event(upload(s3, source, f"max-{uuid.uuid4().hex[:6]}.jpg"))))
    code, out, _ = replay(stack, capfd, "--max", "2")
    assert code == 0 and "replayed 2" in out and "stopped after --max 2 messages" in out
    assert len(visible(queue, stack)) == 1


def test_an_environment_without_the_queue_output_is_refused(tmp_path, capfd, monkeypatch):
    monkeypatch.delenv("TERRAFORM_BIN", raising=False)
    env = tmp_path / "environments" / "test"
    env.mkdir(parents=True)
    (env / "main.tf").write_text('terraform {\n  backend "local" {}\n}\n\n'
                                 'output "region" {\n  value = "us-east-1"\n}\n')
    (env / "backend.hcl").write_text(f'path = "{tmp_path}/test.tfstate"\n')
    terraform(env, "init", "-input=false", "-backend-config=backend.hcl")
    terraform(env, "apply", "-input=false", "-auto-approve")
    code = main(["replay", "test", "--environments-dir", str(tmp_path / "environments")])
    assert code == 2 and "test has no dead_letter_queue_url output" in capfd.readouterr().err


def test_replay_is_a_listed_command():
    done = subprocess.run([sys.executable, "-c", "from thumbrouter.cli import main; main(['--help'])"],
                          capture_output=True, text=True, timeout=60)
    assert "replay" in done.stdout


def operator_policy(queue_arn: str, source: str, sqs_actions: tuple[str, ...]) -> dict:
    """The replay operator's policy as the README lists it: the queue, and what the job does."""
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [f"sqs:{action}" for action in sqs_actions], "Resource": queue_arn},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{source}/*"},
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": f"arn:aws:s3:::{source}"},
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{source}resized/*"},
    ]}


OPERATOR_SQS = ("ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes")


@pytest.fixture(scope="module")
def enforced(tmp_path_factory):
    """(enforcing server, source bucket, queue URL, queue ARN, environments dir) on a moto server that
    enforces IAM; the environment's outputs are applied by real Terraform."""
    from tests.support.iam import EnforcingAws

    server = EnforcingAws().start()
    source = "replay-enforced"
    for bucket in (source, f"{source}resized"):
        server.client().create_bucket(Bucket=bucket)
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName="CreateThumbnail-failures")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    root = tmp_path_factory.mktemp("enforced") / "environments"
    env = root / "test"
    env.mkdir(parents=True)
    (env / "main.tf").write_text(ROOT)
    (env / "backend.hcl").write_text(f'path = "{root.parent}/test.tfstate"\n')
    terraform(env, "init", "-input=false", "-backend-config=backend.hcl")
    terraform(env, "apply", "-input=false", "-auto-approve", f"-var=queue_url={queue_url}",
              f"-var=source_bucket={source}")
    yield server, source, queue_url, queue_arn, root
    server.stop()


def as_operator(enforced, monkeypatch, sqs_actions: tuple[str, ...]):
    """Point the CLI's S3 and SQS clients at the enforcing server, signed as a user with the operator policy."""
    from thumbrouter.s3job import client

    server, source, _, queue_arn, _ = enforced
    credentials = server.credentials_with(operator_policy(queue_arn, source, sqs_actions))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["aws_secret_access_key"])
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SQS"):
        monkeypatch.setenv(name, server.url)
    monkeypatch.delenv("TERRAFORM_BIN", raising=False)
    client.default_s3_client.cache_clear()


def test_the_documented_operator_policy_is_enough_to_replay(enforced, monkeypatch, capfd):
    server, source, queue_url, _, root = enforced
    admin = server.client()
    admin.put_object(Bucket=source, Key="op.jpg", Body=image_bytes())
    server.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(
        destination_record(s3_event(s3_record(source, "op.jpg", size=1024)), error="GET s3://x/op.jpg: AccessDenied")))
    as_operator(enforced, monkeypatch, OPERATOR_SQS)
    code = main(["replay", "test", "--environments-dir", str(root)])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert "replayed 1" in out and admin.head_object(Bucket=f"{source}resized", Key="op_50x50.jpg")


def test_without_delete_permission_the_message_stays_and_the_run_fails(enforced, monkeypatch, capfd):
    server, source, queue_url, _, root = enforced
    server.client().put_object(Bucket=source, Key="kept.jpg", Body=image_bytes())
    server.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(
        destination_record(s3_event(s3_record(source, "kept.jpg", size=1024)))))
    as_operator(enforced, monkeypatch, tuple(a for a in OPERATOR_SQS if a != "DeleteMessage"))
    code = main(["replay", "test", "--environments-dir", str(root)])
    assert code == 1 and "AccessDenied" in capfd.readouterr().err
    left = server.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=0).get("Messages", [])
    assert [json.loads(m["Body"])["requestPayload"]["Records"][0]["s3"]["object"]["key"] for m in left] == ["kept.jpg"]
