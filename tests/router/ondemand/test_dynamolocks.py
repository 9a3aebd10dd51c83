"""Single-flight on DynamoDB (the local moto server over HTTP): leases by conditional write, lazy TTL, outages."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.router.conftest import FakeClock
from tests.support.servers import FailingServer
from thumbrouter.router.ondemand.dynamolocks import KEY, TTL_SLACK_S, DynamoLocks
from thumbrouter.router.ondemand.singleflight import SingleFlight, WaitTimeout

from .dynamo import client, create_lock_table, item

NOW = 1_800_000_000.0
# The local server shares the test's cores with other work: production's 0.5 s would count a slow answer as an outage.
TIMEOUT = 5.0


@pytest.fixture
def table(s3_server):
    return create_lock_table(s3_server.url)


def locks(s3_server, table, clock=None) -> DynamoLocks:
    store = DynamoLocks.connect(table, "us-east-1", s3_server.url, timeout=TIMEOUT)
    if clock is not None:
        store._clock = clock
    return store


def test_an_ended_lease_still_in_the_table_is_taken_by_the_next_caller(s3_server, table):
    clock = FakeClock(NOW)
    store = locks(s3_server, table, clock)
    assert store.acquire("k", "dead-holder", 2000)
    clock.advance(1.9)
    assert not store.acquire("k", "waiter", 2000)
    clock.advance(0.2)  # DynamoDB's TTL has not deleted the item (it takes up to days): the lease says it ended
    assert item(s3_server.url, table, "lock#k") is not None
    assert store.acquire("k", "waiter", 2000)
    assert item(s3_server.url, table, "lock#k")["token"] == {"S": "waiter"}


def test_items_carry_the_ttl_attribute_in_epoch_seconds(s3_server, table):
    store = locks(s3_server, table, FakeClock(NOW))
    store.acquire("k", "t", 8000)
    store.publish("k", {"status": "created"}, 15000)
    assert item(s3_server.url, table, "lock#k")["expires_at"] == {"N": str(int(NOW) + 8 + TTL_SLACK_S)}
    assert item(s3_server.url, table, "done#k")["expires_at"] == {"N": str(int(NOW) + 15 + TTL_SLACK_S)}
    ttl = client(s3_server.url).describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


def test_an_extended_lease_outlives_its_first_term(s3_server, table):
    clock = FakeClock(NOW)
    store = locks(s3_server, table, clock)
    store.acquire("k", "holder", 2000)
    clock.advance(1.5)
    assert store.extend("k", "holder", 2000)
    clock.advance(1.5)  # 3 s after taking it, 1.5 s after the renewal
    assert not store.acquire("k", "waiter", 2000)


def test_an_outcome_past_its_lifetime_is_not_served(s3_server, table):
    clock = FakeClock(NOW)
    store = locks(s3_server, table, clock)
    store.publish("k", {"status": "created"}, 1000)
    assert store.published("k") == {"status": "created"}
    clock.advance(1.0)
    assert store.published("k") is None


def test_two_processes_sharing_the_table_run_the_work_once(s3_server, table):
    started = [threading.Event(), threading.Event()]
    flights = [SingleFlight(locks(s3_server, table), on_wait=started[i].set) for i in range(2)]
    runs = []

    def work():  # held until each flight has a caller waiting: the second flight waits on DynamoDB, not on us
        runs.append(1)
        assert all(event.wait(20) for event in started)
        return {"status": "created"}

    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(flights[i % 2].run, "photo.jpg", work) for i in range(40)]
        results = [f.result(30) for f in futures]
    assert runs == [1] and results == [{"status": "created"}] * 40
    assert item(s3_server.url, table, "lock#photo.jpg") is None  # released
    assert item(s3_server.url, table, "done#photo.jpg") is not None  # published for late waiters


def test_a_waiter_past_its_deadline_stops_without_running_the_work(s3_server, table):
    locks(s3_server, table).acquire("k", "live-holder", 60_000)
    runs = []
    with pytest.raises(WaitTimeout):
        SingleFlight(locks(s3_server, table), wait=0.3).run("k", lambda: runs.append(1) or {})
    assert runs == []


def test_release_never_deletes_a_lease_someone_else_now_holds(s3_server, table):
    store = locks(s3_server, table)

    def lose_the_lease():  # as if ours had ended and another router had taken it
        client(s3_server.url).put_item(TableName=table, Item={
            KEY: {"S": "lock#k"}, "token": {"S": "someone-else"}, "lease_ms": {"N": str(10**15)}})
        return {"status": "created"}

    SingleFlight(store).run("k", lose_the_lease)
    assert item(s3_server.url, table, "lock#k")["token"] == {"S": "someone-else"}


def test_a_failing_dynamodb_degrades_to_one_run_per_process_and_the_open_breaker_stops_calling_it(table):
    failing = FailingServer()
    try:
        store = DynamoLocks.connect(table, "us-east-1", failing.url, cooldown=60)
        flight, runs = SingleFlight(store), []
        assert flight.run("k", lambda: runs.append(1) or {"status": "created"}) == {"status": "created"}
        calls = failing.requests
        assert calls == 1  # no SDK retries
        assert flight.run("k2", lambda: runs.append(1) or {"status": "created"}) == {"status": "created"}
        assert failing.requests == calls and runs == [1, 1] and store.status() == "degraded"
    finally:
        failing.stop()


def test_a_black_holed_dynamodb_costs_one_read_timeout_then_fails_fast(black_hole, table):
    store = DynamoLocks.connect(table, "us-east-1", black_hole, cooldown=60)
    assert SingleFlight(store).run("k", lambda: {"status": "created"}) == {"status": "created"}
    assert store.breaker.is_open and store.status() == "degraded"
