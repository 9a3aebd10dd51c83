"""A moto server (its own process, real HTTP on 127.0.0.1) that enforces IAM policies on every call.

moto enforces IAM once INITIAL_NO_AUTH_ACTION_COUNT actions have run unauthenticated. The first three
create an administrator; everything after is signed, so a test's setup runs as that administrator and
the code under test runs as a user holding exactly the policy the test gives it.
"""

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field

import boto3
from botocore.config import Config

from tests.support.servers import free_port, wait_for_port

UNAUTHENTICATED_SETUP = 3  # create_user, put_user_policy, create_access_key of the administrator
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2})


@dataclass
class EnforcingServer:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    admin: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "EnforcingServer":
        environ = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(UNAUTHENTICATED_SETUP)}
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, timeout=60)
        self.admin = self._user("admin", {"Version": "2012-10-17",
                                          "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                                iam=self._client("iam", {"aws_access_key_id": "setup", "aws_secret_access_key": "x"}))
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def _client(self, service: str, credentials: dict):
        return boto3.session.Session(region_name="us-east-1", **credentials).client(
            service, endpoint_url=self.url, config=CLIENT_CONFIG)

    def _user(self, name: str, policy: dict, iam=None) -> dict:
        iam = iam or self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}

    def client(self, service: str = "s3"):
        """A client signed as the administrator (for setup and inspection)."""
        return self._client(service, self.admin)

    def credentials_with(self, policy: dict) -> dict:
        """The access key of a new user holding exactly `policy` (a policy document), as boto3 Session arguments."""
        return self._user(f"user-{uuid.uuid4().hex[:10]}", policy)

    def client_with(self, policy: dict, service: str = "s3"):
        """A client signed as a new user holding exactly `policy`."""
        return self._client(service, self.credentials_with(policy))
