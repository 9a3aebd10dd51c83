"""Create missing thumbnails for objects already in a bucket (bounded concurrency, resumable).

Lists originals in key order, skips what the Lambda would skip, HEADs each thumbnail in the
destination bucket and creates the missing sizes through the Lambda's own job code; with --stale,
also the sizes whose `source-etag` or `spec` metadata is not the original's ETag or today's settings.
Bad images are reported, never fatal; the exit code is 1 when anything failed.

What a thumbnail is comes from the router's variables (THUMBROUTER_THN_BUCKET, _THUMBNAIL_SIZES, ...), so
the router's environment file (`--env-file`, as `thumbrouter deploy ENV output --env-format` prints it)
is all an operator needs; the seed's unprefixed names still count, and the limits are the job's
(THUMBNAILER_MAX_BYTES, ...).
"""

import argparse
import json
import os
import shlex
import sys
import time
from collections import Counter
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from tqdm import tqdm

from thumbrouter.imagecore import no_thumbnail_reason, thumbnail_key
from thumbrouter.s3job import (
    ConfigError,
    Env,
    LambdaSettings,
    ObjectRecord,
    is_stale,
    new_s3_client,
    object_head,
    process_object,
    skip_reason,
)

from .envfile import read_env_file
from .outputs import ROUTER_PREFIX, ROUTER_VARIABLES

STATE_EVERY_SECONDS = 2.0
WINDOW = 1000  # most keys finished out of order while an earlier one is still running


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bucket", help="bucket holding the originals (default THUMBROUTER_S3_BUCKET)")
    parser.add_argument("--env-file", type=Path, metavar="PATH",
                        help="the router's KEY=value lines (shell-quoted, # comments), over this environment")
    parser.add_argument("--prefix", default="", help="only keys starting with this")
    parser.add_argument("--dry-run", action="store_true", help="count what is missing; write nothing")
    parser.add_argument("--stale", action="store_true",
                        help="also re-render thumbnails of another version of the original or made with other settings")
    parser.add_argument("--workers", type=_workers, default=4, metavar="N", help="threads, 1-64 (default 4)")
    parser.add_argument("--start-after", metavar="KEY", help="resume after this key (as printed by a previous run)")
    parser.add_argument("--dest", metavar="BUCKET",
                        help="thumbnail bucket (default THUMBROUTER_THN_BUCKET or <bucket>resized)")
    parser.add_argument("--sizes", help="comma list like 50x50,200x200 (default THUMBROUTER_THUMBNAIL_SIZES or 50x50)")
    parser.add_argument("--state-file", type=Path, help="JSON file holding the resume position; read on start")


class ResumePoint:
    """The greatest listed key such that it and every key listed before it are finished."""

    def __init__(self, start_after: str | None):
        self.key = start_after
        self._keys: dict[int, str] = {}
        self._finished: set[int] = set()
        self._issued = self._next = 0

    @property
    def backlog(self) -> int:
        return self._issued - self._next

    def add(self, key: str) -> int:
        self._keys[self._issued] = key
        self._issued += 1
        return self._issued - 1

    def finish(self, seq: int) -> None:
        self._finished.add(seq)
        while self._next in self._finished:
            self._finished.remove(self._next)
            self.key = self._keys.pop(self._next)
            self._next += 1


def list_originals(s3, bucket: str, prefix: str, start_after: str | None):
    """Yield every object under prefix after start_after, in S3's key order, one page at a time."""
    params = {"Bucket": bucket, "Prefix": prefix} | ({"StartAfter": start_after} if start_after else {})
    for page in s3.get_paginator("list_objects_v2").paginate(**params):
        for obj in page.get("Contents", []):
            yield ObjectRecord(bucket, obj["Key"], obj["Size"], obj.get("ETag", "").strip('"'))


def backfill_one(s3, record: ObjectRecord, settings: LambdaSettings, dry_run: bool,
                 stale: bool = False) -> tuple[str, str]:
    """Return (status, reason): exists, missing or stale (found, or with --dry-run to do), created, skipped
    or failed. A record with a missing size counts as missing/created, one with only stale sizes as stale.

    Raises TransientError.
    """
    dest = settings.spec.destination(record.bucket)
    # Asked before any HEAD: S3 answers a HEAD of an over-long thumbnail key with an error, not a 404.
    sizes = tuple(size for size in settings.spec.sizes if not no_thumbnail_reason(record.key, size))
    if not sizes:
        return "skipped", no_thumbnail_reason(record.key, settings.spec.sizes[0]) or ""
    heads = {size: object_head(s3, dest, thumbnail_key(record.key, size)) for size in sizes}
    missing = tuple(size for size, head in heads.items() if head is None)
    todo = tuple(size for size, head in heads.items()
                 if head is None or (stale and is_stale(head, record.etag or "", settings.spec, size)))
    if not todo:
        return "exists", ""
    status = "missing" if missing else "stale"
    if dry_run:
        return status, ""
    outcome = process_object(s3, record, replace(settings, spec=replace(settings.spec, sizes=todo)))
    if outcome.status != "created":
        return "failed", outcome.reason
    return ("created" if missing else "stale"), ""


class Backfill:
    """One run: feeds a bounded number of records to a thread pool and tracks counts and position."""

    def __init__(self, s3, settings: LambdaSettings, args: argparse.Namespace, start_after: str | None):
        self.s3, self.settings, self.args = s3, settings, args
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        self.position = ResumePoint(start_after)
        self.bar = tqdm(unit=" obj", file=sys.stderr, disable=None, dynamic_ncols=True)
        self._saved_at = 0.0

    def run(self) -> None:
        """Process the whole listing; on Ctrl-C finish what is running, then re-raise."""
        pending: dict[Future, tuple[int, ObjectRecord]] = {}
        with ThreadPoolExecutor(self.args.workers, thread_name_prefix="backfill") as pool:
            try:
                for record in list_originals(self.s3, self.args.bucket, self.args.prefix, self.position.key):
                    seq = self.position.add(record.key)
                    reason = skip_reason(record, self.settings)
                    if reason:
                        self._finish(seq, record, "skipped", reason)
                        continue
                    while len(pending) >= 2 * self.args.workers or self.position.backlog > WINDOW:
                        self._collect(pending, FIRST_COMPLETED)
                    future = pool.submit(backfill_one, self.s3, record, self.settings, self.args.dry_run,
                                         self.args.stale)
                    pending[future] = (seq, record)
                self._collect(pending, ALL_COMPLETED)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                self._collect({f: v for f, v in pending.items() if not f.cancelled()}, ALL_COMPLETED)
                raise
            finally:
                self.bar.close()
                self.save_state(force=True)

    def _collect(self, pending: dict, return_when) -> None:
        done, _ = wait(pending, return_when=return_when)
        for future in done:
            seq, record = pending.pop(future)
            try:
                status, reason = future.result()
            except Exception as exc:  # noqa: BLE001 -- a failed object is reported, never fatal
                status, reason = "failed", f"{type(exc).__name__}: {exc}"
            self._finish(seq, record, status, reason)

    def _finish(self, seq: int, record: ObjectRecord, status: str, reason: str) -> None:
        self.counts[status] += 1
        if status == "failed":
            if len(self.failures) < 100:  # the state file keeps a sample; stderr has them all
                self.failures.append(f"{record.key}: {reason}")
            tqdm.write(f"failed: {record.key}: {reason}", file=sys.stderr)
        self.position.finish(seq)
        self.bar.update()
        self.save_state()

    def save_state(self, force: bool = False) -> None:
        """Write the resume position to --state-file (atomically), at most every STATE_EVERY_SECONDS."""
        if not self.args.state_file or (not force and time.monotonic() - self._saved_at < STATE_EVERY_SECONDS):
            return
        self._saved_at = time.monotonic()
        state = {"bucket": self.args.bucket, "prefix": self.args.prefix, "last_key": self.position.key,
                 "counts": dict(self.counts), "failed": self.failures}
        partial = self.args.state_file.with_name(self.args.state_file.name + ".partial")
        partial.write_text(json.dumps(state, ensure_ascii=False, indent=1))
        os.replace(partial, self.args.state_file)


def run(args: argparse.Namespace) -> int:
    try:
        environ = os.environ | (read_env_file(args.env_file) if args.env_file else {})
        settings = _settings(args, environ)
        args.bucket = args.bucket or Env(environ).bucket(ROUTER_VARIABLES["source_bucket"])
        if not args.bucket:
            raise ConfigError(f"--bucket or {ROUTER_VARIABLES['source_bucket']} names the bucket of originals")
        settings.spec.destination(args.bucket)
    except ConfigError as exc:
        print(f"backfill: {exc}", file=sys.stderr)
        return 2
    job = Backfill(new_s3_client(max_pool_connections=args.workers + 2), settings, args, _start_after(args))
    code = 0
    try:
        job.run()
    except KeyboardInterrupt:
        code = 130
    except (BotoCoreError, ClientError) as exc:  # the listing itself failed (bucket, endpoint)
        print(f"backfill: listing s3://{args.bucket}/{args.prefix} failed: {exc}", file=sys.stderr)
        code = 1
    names = ("created", "exists", "missing", "skipped", "failed") + (("stale",) if args.stale else ())
    summary = ", ".join(f"{name} {job.counts[name]}" for name in names)
    print(f"{'dry run: ' if args.dry_run else ''}{summary}")
    if job.position.key:
        print(f"resume with: --start-after {shlex.quote(job.position.key)}")
    return code or (1 if job.counts["failed"] else 0)


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"must be an integer from 1 to 64, got {text!r}")
    return int(text)


def _settings(args: argparse.Namespace, environ: dict[str, str]) -> LambdaSettings:
    """The router's spec and the job's limits from `environ`; --dest and --sizes win over both."""
    settings = LambdaSettings.from_env(environ, spec_prefix=ROUTER_PREFIX)
    flags = Env({"--dest": args.dest or "", "--sizes": args.sizes or ""})
    spec = replace(settings.spec, dest_bucket=flags.bucket("--dest") or settings.spec.dest_bucket,
                   sizes=flags.sizes("--sizes", ",".join(settings.spec.sizes)))
    return replace(settings, spec=spec)


def _start_after(args: argparse.Namespace) -> str | None:
    """--start-after wins; else the position saved in --state-file for this bucket and prefix."""
    if args.start_after or not args.state_file or not args.state_file.exists():
        return args.start_after
    state = json.loads(args.state_file.read_text())
    if (state.get("bucket"), state.get("prefix")) != (args.bucket, args.prefix):
        return None
    print(f"resuming after {state.get('last_key')!r} from {args.state_file}", file=sys.stderr)
    return state.get("last_key")
