"""DynamoDB as single-flight's shared store: for a router on Lambda, which Redis would put in a VPC.

One table, partition key `name` (string), two items per flight: `lock#<name>` (the holder's token
and lease end) and `done#<name>` (the published outcome). A lease is taken by a conditional put
that succeeds only when no item exists or its lease has ended; extended and released by a
conditional update/delete on the holder's token. DynamoDB's TTL deletes expired items within days,
not milliseconds, so every read and condition compares the `lease_ms`/`until_ms` attributes with
the clock; `expires_at` (epoch seconds) is the table's TTL attribute that keeps the table small.
Leases compare the routers' wall clocks (NTP-synced on Lambda): a skew of a few ms only shortens or
lengthens a lease by that much, and a lost lease costs at most one extra (idempotent) generation.

Every call has short connect and read timeouts, no SDK retries, and goes through a breaker (the
one Redis and S3 use): an unreachable DynamoDB costs one timeout, then fails at once until a probe
succeeds, and SingleFlight degrades to per-process single-flight meanwhile.
"""

import json
import logging
import time

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..breaker import Breaker
from .locks import StoreUnavailable

log = logging.getLogger(__name__)

# In-region DynamoDB answers in single-digit milliseconds; a call slower than this is a failure.
CALL_TIMEOUT = 0.5
KEY = "name"  # the table's partition key (string); terraform/modules/router-function creates it so
TTL_ATTRIBUTE = "expires_at"
TTL_SLACK_S = 60  # items stay readable this long after their lease or outcome ends (DynamoDB TTL is lazy anyway)
FREE = "attribute_not_exists(#n) OR lease_ms < :now"
MINE = "#t = :token"


class DynamoLocks:
    """LockStore on one DynamoDB table (see the module docstring for the item layout)."""

    def __init__(self, table: str, client, *, breaker: Breaker | None = None, clock=time.time):
        self.table, self.client, self._clock = table, client, clock
        self.breaker = breaker or Breaker()

    @classmethod
    def connect(cls, table: str, region: str, endpoint_url: str | None = None, *,
                timeout: float = CALL_TIMEOUT, cooldown: float = 1.0) -> "DynamoLocks":
        """A client with `timeout` seconds to connect and to read, no SDK retries, a bounded pool."""
        config = Config(connect_timeout=timeout, read_timeout=timeout, max_pool_connections=16,
                        retries={"total_max_attempts": 1, "mode": "standard"})
        client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url, config=config)
        return cls(table, client, breaker=Breaker(cooldown))

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _call(self, method: str, **kwargs) -> dict | None:
        """client.<method>(TableName=..., **kwargs); None when its condition failed; raises StoreUnavailable."""
        if not self.breaker.allow():
            raise StoreUnavailable("circuit open")
        try:
            answer = getattr(self.client, method)(TableName=self.table, **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                self.breaker.record(True)
                return None
            self._failed(exc)
            raise StoreUnavailable(exc.response.get("Error", {}).get("Code", "ClientError")) from exc
        except BotoCoreError as exc:
            self._failed(exc)
            raise StoreUnavailable(type(exc).__name__) from exc
        self.breaker.record(True)
        return answer

    def _failed(self, exc: Exception) -> None:
        if not self.breaker.is_open:
            log.warning("dynamodb unavailable, degrading to per-process single-flight: %s", type(exc).__name__)
        self.breaker.record(False)

    def _expiry(self, until_ms: int) -> dict:
        return {"N": str(until_ms // 1000 + TTL_SLACK_S)}

    def published(self, name: str) -> dict | None:
        found = self._call("get_item", Key={KEY: {"S": f"done#{name}"}}, ConsistentRead=True)
        item = (found or {}).get("Item")
        if not item or int(item["until_ms"]["N"]) <= self._now_ms():
            return None
        return json.loads(item["outcome"]["S"])

    def acquire(self, name: str, token: str, ttl_ms: int) -> bool:
        now = self._now_ms()
        item = {KEY: {"S": f"lock#{name}"}, "token": {"S": token}, "lease_ms": {"N": str(now + ttl_ms)},
                TTL_ATTRIBUTE: self._expiry(now + ttl_ms)}
        return self._call("put_item", Item=item, ConditionExpression=FREE, ExpressionAttributeNames={"#n": KEY},
                          ExpressionAttributeValues={":now": {"N": str(now)}}) is not None

    def extend(self, name: str, token: str, ttl_ms: int) -> bool:
        until = self._now_ms() + ttl_ms
        return self._call(
            "update_item", Key={KEY: {"S": f"lock#{name}"}}, ConditionExpression=MINE,
            UpdateExpression=f"SET lease_ms = :until, {TTL_ATTRIBUTE} = :expires",
            ExpressionAttributeNames={"#t": "token"},
            ExpressionAttributeValues={":token": {"S": token}, ":until": {"N": str(until)},
                                       ":expires": self._expiry(until)}) is not None

    def publish(self, name: str, outcome: dict, ttl_ms: int) -> None:
        until = self._now_ms() + ttl_ms
        self._call("put_item", Item={KEY: {"S": f"done#{name}"}, "outcome": {"S": json.dumps(outcome)},
                                     "until_ms": {"N": str(until)}, TTL_ATTRIBUTE: self._expiry(until)})

    def release(self, name: str, token: str) -> None:
        self._call("delete_item", Key={KEY: {"S": f"lock#{name}"}}, ConditionExpression=MINE,
                   ExpressionAttributeNames={"#t": "token"}, ExpressionAttributeValues={":token": {"S": token}})

    def status(self) -> str:
        """"ok" or "degraded" for readiness: one read of a name nobody writes (unless the breaker is open)."""
        try:
            self._call("get_item", Key={KEY: {"S": "readiness#probe"}})
            return "ok"
        except StoreUnavailable:
            return "degraded"
