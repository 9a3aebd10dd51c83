"""Re-run the thumbnail function's failed events from its failure queue (terraform/environments/ENV's outputs);
delete each one that succeeds.

Run it once the cause is fixed (a role, a bucket, a KMS grant). `thumbrouter replay ENV` reads the
environment's Terraform outputs, as `deploy ENV output` does: the function's on-failure destination
(`dead_letter_queue_url`), its `region` and the `thumbnail_spec` it was given. Each message is the record
Lambda writes there (`requestContext`, `requestPayload` = the S3 event, `responseContext`,
`responsePayload` = the error); a bare S3 event (a dead-letter queue's) works too. Every record is re-run
through the job as the Lambda runs it, and a message is deleted only when all its records succeeded; the
others are made visible again at the end. --dry-run reports and changes nothing. --max N (default 10,000)
stops after N messages. Exit 0 when everything was replayed, 1 when anything failed, 2 when the environment
cannot be read.
"""

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from tqdm import tqdm

from thumbrouter.cli.deploy import init
from thumbrouter.cli.environments import ENVIRONMENTS_DIR, DeployError, find_environment, require_backend_config
from thumbrouter.cli.outputs import SPEC_OUTPUT, spec_environment
from thumbrouter.cli.terraform import Terraform, TerraformError, require_terraform
from thumbrouter.s3job import ConfigError, LambdaSettings, ObjectRecord, new_s3_client, parse_event, process_batch

QUEUE_OUTPUT, REGION_OUTPUT = "dead_letter_queue_url", "region"
BATCH = 10  # SQS's most per ReceiveMessage
WAIT_SECONDS = 2  # long polling: an empty answer means the queue is empty, not that a sampled server was
VISIBILITY_SECONDS = 300  # a received message stays hidden this long while its records are re-run
DEFAULT_MAX = 10_000  # a queue that keeps filling (the cause is not fixed) must not keep a run going for ever
DONE = frozenset({"created", "deleted", "skipped"})  # record outcomes that count as success


class ReplayError(Exception):
    """The replay cannot start; the message says why."""


@dataclass(frozen=True)
class FailedInvocation:
    """One message of the failure queue: the S3 event to re-run, why it failed, or what is wrong with it."""

    message_id: str
    receipt: str
    event: dict | None
    why: str = ""  # the destination record's condition, attempts and error message
    problem: str = ""  # set when the message is not a destination record or an S3 event


def unwrap(message: dict) -> FailedInvocation:
    """The S3 event inside one SQS message (an on-failure destination record, or the bare event)."""
    ids = str(message.get("MessageId", "")), str(message.get("ReceiptHandle", ""))
    try:
        body = json.loads(message.get("Body", ""))
    except (TypeError, ValueError, RecursionError):
        return FailedInvocation(*ids, None, problem="body is not JSON")
    if not isinstance(body, dict):
        return FailedInvocation(*ids, None, problem="body is not a JSON object")
    if "requestPayload" not in body:
        bare = isinstance(body.get("Records"), list)
        return FailedInvocation(*ids, body if bare else None, problem="" if bare else "no requestPayload")
    context, response = body.get("requestContext") or {}, body.get("responsePayload") or {}
    why = " ".join(str(part) for part in (
        context.get("condition", ""), f"after {context.get('approximateInvokeCount', '?')} attempts:",
        (response.get("errorMessage") if isinstance(response, dict) else response) or "")).strip()
    event = body["requestPayload"]
    if not isinstance(event, dict):
        return FailedInvocation(*ids, None, why[:300], problem="requestPayload is not an S3 event")
    return FailedInvocation(*ids, event, why[:300])


def environment_outputs(name: str, environments_dir: str) -> dict:
    """`terraform output -json` of an environment (init first, like deploy). Raises ReplayError."""
    try:
        env = find_environment(name, Path(environments_dir))
        require_backend_config(env)
        tf = Terraform(require_terraform(), env.path)
        init(tf)
        code, out, err = tf.outputs()
    except (DeployError, TerraformError) as exc:
        raise ReplayError(str(exc)) from None
    if code != 0:
        raise ReplayError(f"terraform output failed in {name}: {err.strip()[:500]}")
    return {key: item.get("value") for key, item in json.loads(out or "{}").items()}


def job_settings(outputs: dict) -> LambdaSettings:
    """The job's settings: the function's spec from the outputs, limits as this environment sets them."""
    spec = outputs.get(SPEC_OUTPUT)
    overrides = spec_environment(spec) if isinstance(spec, dict) else {}
    return LambdaSettings.from_env(os.environ | overrides)


class Replay:
    """One pass over the queue: receive, re-run, delete what succeeded, count everything."""

    def __init__(self, sqs, s3, queue_url: str, settings: LambdaSettings, args: argparse.Namespace):
        self.sqs, self.s3, self.queue_url, self.settings, self.args = sqs, s3, queue_url, settings, args
        self.messages: Counter[str] = Counter()
        self.records: Counter[str] = Counter()
        self.kept: dict[str, str] = {}  # message id -> receipt handle, released at the end

    def _total(self) -> int:
        """The queue's approximate length (capped by --max): the progress bar's total."""
        answer = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages"])
        total = int(answer.get("Attributes", {}).get("ApproximateNumberOfMessages", 0))
        return min(total, self.args.max)

    def run(self) -> None:
        """Replay until the queue is empty or --max messages were handled. Raises BotoCoreError, ClientError."""
        self.bar = tqdm(total=self._total(), unit=" msg", file=sys.stderr, disable=None, dynamic_ncols=True)
        try:
            while (handled := sum(self.messages.values())) < self.args.max:
                wanted = min(BATCH, self.args.max - handled)
                batch = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=wanted,
                                                 WaitTimeSeconds=WAIT_SECONDS,
                                                 VisibilityTimeout=VISIBILITY_SECONDS).get("Messages", [])
                fresh = [m for m in batch if m.get("MessageId") not in self.kept]
                for message in batch:  # seen again: its visibility ran out; only the newest receipt is valid
                    if message.get("MessageId") in self.kept:
                        self.kept[message["MessageId"]] = message["ReceiptHandle"]
                if not fresh:  # empty, or only messages this run already kept (their visibility ran out)
                    return
                for message in fresh:
                    self.one(unwrap(message))
        finally:
            self.bar.close()
            self.release()

    def one(self, failed: FailedInvocation) -> None:
        if failed.problem or failed.event is None:
            self._keep(failed, "malformed", failed.problem)
        elif self.args.dry_run:
            keys = ", ".join(f"s3://{r.bucket}/{r.key}" for r in parse_event(failed.event)
                             if isinstance(r, ObjectRecord))
            self._keep(failed, "would_replay", f"{keys or 'no records'} ({failed.why or 'no reason given'})")
        else:
            result = process_batch(self.s3, parse_event(failed.event), self.settings)
            self.records.update(outcome.status for outcome in result.outcomes)
            self.records.update({"retry": len(result.failures), "malformed": len(result.bad)})
            failures = [f"s3://{r.bucket}/{r.key}: {exc}" for r, exc in result.failures]
            failures += [f"s3://{o.bucket}/{o.key}: {o.reason}" for o in result.outcomes if o.status not in DONE]
            if failures or result.bad:
                self._keep(failed, "failed", "; ".join(failures) or "malformed records")
            else:
                self._delete(failed)
        self.bar.update()

    def _delete(self, failed: FailedInvocation) -> None:
        try:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=failed.receipt)
        except (BotoCoreError, ClientError) as exc:  # replayed, but it stays: a later run replays it again, harmlessly
            self._keep(failed, "failed", f"replayed, but the delete failed: {exc}")
            return
        self.messages["replayed"] += 1

    def _keep(self, failed: FailedInvocation, status: str, detail: str) -> None:
        self.messages[status] += 1
        self.kept[failed.message_id] = failed.receipt
        tqdm.write(f"{status}: message {failed.message_id}: {detail[:500]}", file=sys.stderr)

    def release(self) -> None:
        """Make every kept message visible again now, not when its visibility timeout runs out."""
        for message_id, receipt in self.kept.items():  # one call each: kept messages are the exception
            try:
                self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=receipt, VisibilityTimeout=0)
            except (BotoCoreError, ClientError) as exc:  # it reappears when its visibility timeout ends instead
                tqdm.write(f"message {message_id} stays hidden for up to {VISIBILITY_SECONDS} s: {exc}",
                           file=sys.stderr)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("env", help="environment: a directory of terraform/environments/")
    parser.add_argument("--dry-run", action="store_true", help="list what would be replayed; change nothing")
    parser.add_argument("--max", type=_positive, default=DEFAULT_MAX, metavar="N",
                        help=f"stop after N messages (default {DEFAULT_MAX:,})")
    parser.add_argument("--environments-dir", default=str(ENVIRONMENTS_DIR), help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    try:
        outputs = environment_outputs(args.env, args.environments_dir)
        queue_url = outputs.get(QUEUE_OUTPUT)
        if not isinstance(queue_url, str) or not queue_url:
            raise ReplayError(f"{args.env} has no {QUEUE_OUTPUT} output: apply the environment first")
        settings = job_settings(outputs)
    except (ReplayError, ConfigError) as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 2
    region = outputs.get(REGION_OUTPUT)
    if isinstance(region, str) and region:  # the job's S3 client too: the stack's region unless AWS_REGION says
        os.environ.setdefault("AWS_DEFAULT_REGION", region)
    replay = Replay(sqs_client(region), new_s3_client(), queue_url, settings, args)
    code = 0
    try:
        replay.run()
    except KeyboardInterrupt:
        code = 130
    except (BotoCoreError, ClientError) as exc:  # the queue itself (URL, permissions, endpoint)
        print(f"replay: {queue_url}: {exc}", file=sys.stderr)
        code = 1
    names = ("would_replay",) if args.dry_run else ("replayed", "failed")
    print(f"{'dry run: ' if args.dry_run else ''}messages: "
          + ", ".join(f"{name} {replay.messages[name]}" for name in (*names, "malformed")))
    if sum(replay.messages.values()) >= args.max:
        print(f"stopped after --max {args.max} messages: run again for the rest")
    if replay.records:
        print("records: " + ", ".join(f"{name} {count}" for name, count in sorted(replay.records.items()) if count))
    return code or (1 if replay.messages["failed"] or replay.messages["malformed"] else 0)


def sqs_client(region: object):
    """SQS in the environment's region, bounded: a receive waits WAIT_SECONDS, a call at most a few retries."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=5, read_timeout=WAIT_SECONDS + 20,
                    retries={"total_max_attempts": 3, "mode": "standard"})
    return boto3.session.Session().client("sqs", region_name=region if isinstance(region, str) else None,
                                          config=config)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return int(text)
