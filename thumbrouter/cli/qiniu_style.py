"""Show the Qiniu image style that matches the S3 thumbnails, or check a bucket has it.

The style (name, separator, imageMogr2 processing) comes from the router's THUMBROUTER_* settings: the
Lambda's mode and JPEG quality, the linked size and THUMBROUTER_QINIU_STYLE. `show` prints it with the
console steps that create it: the qiniu SDK has no call that creates or changes a style, only
`BucketManager.bucket_info`, which `check` uses to read the bucket's styles and separators. What can go
wrong: ConfigError (exit 2), QiniuUnreachable or QiniuRefused (exit 2, message on stderr); a bucket without
the matching style exits 1.
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass

from thumbrouter.router import ConfigError, QiniuStyle, load_settings

DEFAULT_TIMEOUT = 10.0


class QiniuStyleError(Exception):
    """Checking the bucket's style failed before any answer about the style."""


class QiniuUnreachable(QiniuStyleError):
    """No HTTP answer from the UC host within the timeout (network down, DNS, refused, timed out)."""


class QiniuRefused(QiniuStyleError):
    """The UC host answered with an error (bad keys, no such bucket, no permission)."""


@dataclass(frozen=True)
class BucketStyles:
    """What the bucket has: style name -> processing, and the separators it accepts (e.g. "-!")."""

    styles: dict[str, str]
    separators: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("show", "check"),
                        help="show: print the style and the console steps; check: compare it with the bucket's")
    parser.add_argument("--bucket", help="check: the Qiniu bucket (default THUMBROUTER_QINIU_BUCKET)")
    parser.add_argument("--uc-host", help="check: Qiniu's bucket-configuration (UC) host, default the SDK's")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"check: seconds to wait for the UC host (default {DEFAULT_TIMEOUT:g})")


def console_steps(style: QiniuStyle, bucket: str) -> str:
    """The Qiniu portal steps that create `style` in `bucket` (the SDK cannot)."""
    return "\n".join([
        f"1. Qiniu portal -> Kodo -> bucket {bucket} -> Image styles (图片样式) -> New style (or edit {style.name}).",
        f"2. Name: {style.name}",
        "3. Edit mode: the processing string (代码模式), exactly:",
        f"   {style.processing}",
        f"4. Bucket settings -> style separator (样式分隔符): allow {style.separator!r}.",
        f"5. Check: a private download URL of <key>{style.separator}{style.name} returns the thumbnail.",
    ])


def fetch_bucket_styles(access_key: str, secret_key: str, bucket: str, *, uc_host: str | None,
                        timeout: float) -> BucketStyles:
    """Read the bucket's styles and separators with the SDK's `BucketManager.bucket_info` (UC /v2/bucketInfo).

    Raises QiniuUnreachable (no answer within about 2 x timeout) or QiniuRefused (an error status).
    """
    from qiniu import Auth, BucketManager, config
    from qiniu.http.endpoint import Endpoint
    from qiniu.http.region import Region, ServiceName

    # The SDK reads its timeout and urllib3 retries from process-wide defaults: one retry, so at most
    # two attempts of `timeout` each against the one UC endpoint (no backup hosts).
    config.set_default(connection_timeout=timeout, connection_retries=1)
    endpoint = Endpoint.from_host(uc_host or config.get_default("default_uc_host"))
    manager = BucketManager(Auth(access_key, secret_key), regions=[Region(services={ServiceName.UC: [endpoint]})],
                            preferred_scheme=endpoint.default_scheme)
    ret, info = manager.bucket_info(bucket)
    if info.status_code < 0 or info.req_id is None and info.status_code == 200:
        raise QiniuUnreachable(f"no answer from Qiniu at {endpoint.get_value()}: {info.error or info.exception}")
    if not info.ok() or not isinstance(ret, dict):
        raise QiniuRefused(f"Qiniu refused bucketInfo for {bucket!r} (HTTP {info.status_code}): {info.error}")
    return BucketStyles(styles=dict(ret.get("styles") or {}), separators=str(ret.get("separator") or ""))


def differences(style: QiniuStyle, found: BucketStyles) -> list[str]:
    """What the bucket lacks for `style`; empty when it matches exactly."""
    problems = []
    have = found.styles.get(style.name)
    if have is None:
        problems.append(f"no style {style.name!r} (styles: {', '.join(sorted(found.styles)) or 'none'})")
    elif have != style.processing:
        problems.append(f"style {style.name!r} is {have!r}, want {style.processing!r}")
    if style.separator not in found.separators:
        problems.append(f"separator {style.separator!r} not allowed (allowed: {found.separators!r})")
    return problems


def check(settings, style: QiniuStyle, args: argparse.Namespace) -> int:
    bucket = args.bucket or settings.qiniu_bucket
    if not (bucket and settings.qiniu_access_key and settings.qiniu_secret_key):
        raise ConfigError("qiniu-style check needs --bucket (or THUMBROUTER_QINIU_BUCKET), "
                          "THUMBROUTER_QINIU_ACCESS_KEY and THUMBROUTER_QINIU_SECRET_KEY")
    found = fetch_bucket_styles(settings.qiniu_access_key, settings.qiniu_secret_key, bucket,
                                uc_host=args.uc_host, timeout=args.timeout)
    problems = differences(style, found)
    if not problems:
        print(f"bucket {bucket}: style {style.separator}{style.name} = {style.processing} (matches)")
        return 0
    print(f"bucket {bucket} does not match:\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr)
    print(console_steps(style, bucket), file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        settings = load_settings(os.environ)
        style = QiniuStyle.from_settings(settings)
        if args.action == "show":
            print(f"name: {style.name}\nseparator: {style.separator}\nprocessing: {style.processing}\n")
            print(console_steps(style, args.bucket or settings.qiniu_bucket or "<bucket>"))
            return 0
        return check(settings, style, args)
    except (ConfigError, ValueError, QiniuStyleError) as exc:
        print(f"thumbrouter qiniu-style: {type(exc).__name__}: {exc} "
              f"({time.monotonic() - started:.1f} s)", file=sys.stderr)
        return 2
