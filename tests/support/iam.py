"""An AWS emulator that enforces IAM: moto's server in its own process, with authorization switched on.

moto checks every SDK call against the caller's IAM policies once its no-auth allowance is used up
(INITIAL_NO_AUTH_ACTION_COUNT, reset through /moto-api/reset-auth). It runs in a subprocess because
that switch is process-wide, and the suite's shared S3 server must stay open. moto answers presigned
requests with 500 under enforcement, so presigned URLs are judged with moto's own evaluator
(`allows`) instead of being fetched.
"""

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import boto3
import requests
from botocore.config import Config

from tests.support.servers import free_port, wait_for_port

CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 1})
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class Identity:
    """An IAM user of the emulator holding exactly one inline policy, and its access key."""

    name: str
    policy: dict
    access_key: str
    secret_key: str

    def session(self) -> boto3.session.Session:
        return boto3.session.Session(aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                                     region_name="us-east-1")

    def environ(self, endpoint: str) -> dict[str, str]:
        """The variables boto3 reads in a subprocess (the CLI) to act as this identity on the emulator."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint}


@dataclass
class EnforcingAws:
    """moto's server on 127.0.0.1 with IAM enforced from `start()` on; `admin` may do anything."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    admin: Identity | None = None
    clients: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "EnforcingAws":
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        unchecked = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="boot",
                                 aws_secret_access_key="boot", config=CONFIG)
        self.admin = self._create(unchecked, "admin", ADMIN)
        requests.post(f"{self.url}/moto-api/reset-auth", data="0", timeout=5).raise_for_status()
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self, service: str = "s3", identity: Identity | None = None):
        """A boto3 client acting as `identity` (default: admin), made once per identity and service."""
        who = identity or self.admin
        if (service, who.name) not in self.clients:
            self.clients[service, who.name] = who.session().client(service, endpoint_url=self.url, config=CONFIG)
        return self.clients[service, who.name]

    def identity(self, name: str, policy: dict) -> Identity:
        """A new user with exactly `policy` (created by admin, so under enforcement)."""
        return self._create(self.client("iam"), name, policy)

    def credentials_with(self, policy: dict) -> dict:
        """The access key of a new user holding exactly `policy`, as boto3 Session arguments."""
        who = self.identity(f"user-{uuid.uuid4().hex[:10]}", policy)
        return {"aws_access_key_id": who.access_key, "aws_secret_access_key": who.secret_key}

    def client_with(self, policy: dict, service: str = "s3"):
        """A client signed as a new user holding exactly `policy`."""
        return self.client(service, self.identity(f"user-{uuid.uuid4().hex[:10]}", policy))

    @staticmethod
    def _create(iam, name: str, policy: dict) -> Identity:
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return Identity(name, policy, key["AccessKeyId"], key["SecretAccessKey"])


def allows(policy: dict, action: str, resource: str) -> bool:
    """moto's own IAM evaluator: does `policy` permit `action` on `resource`?"""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource) == PermissionResult.PERMITTED


def presigned_object(url: str) -> str:
    """The S3 object ARN a path-style presigned URL addresses (`arn:aws:s3:::bucket/key`)."""
    bucket, _, key = unquote(urlsplit(url).path).lstrip("/").partition("/")
    return f"arn:aws:s3:::{bucket}/{key}"


class JudgedDeletes:
    """An S3 client acting as a role, except that DeleteObjects is judged per key by moto's evaluator.

    AWS authorizes a multi-object delete as s3:DeleteObject on each key's ARN; moto checks the bucket's
    ARN instead, so a policy scoped to `bucket/*` (as it should be) is refused there. Each key is
    judged here; allowed ones are deleted with admin's client, a refused one fails the test.
    """

    def __init__(self, client, admin, policy: dict):
        self._client, self._admin, self._policy = client, admin, policy

    def __getattr__(self, name):
        return getattr(self._client, name)

    def delete_objects(self, *, Bucket: str, Delete: dict, **kwargs):
        refused = [item["Key"] for item in Delete["Objects"]
                   if not allows(self._policy, "s3:DeleteObject", f"arn:aws:s3:::{Bucket}/{item['Key']}")]
        assert not refused, f"the policy does not allow deleting {refused} from {Bucket}"
        return self._admin.delete_objects(Bucket=Bucket, Delete=Delete, **kwargs)
