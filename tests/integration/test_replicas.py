"""Two streaming replicas behind the read-API (REPLICA_DATABASE_URLS): reads spread over
both; one is killed mid-run and reads keep answering, from the other; a user's own writes
are never served stale (the read-your-writes rule), before, during or after."""

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.db import connections

from apps.tweets import services as tweet_services
from tests.factories import UserFactory
from tests.integration.conftest import database_url, eventually, start_api
from tests.integration.test_engagement import auth

# The harness's second replica is killed here: the single-Redis pass only (the cluster
# pass runs after, on the same databases).
pytestmark = [pytest.mark.integration, pytest.mark.replica, pytest.mark.single_redis]

SECOND_URL = os.environ.get("TEST_SECOND_REPLICA_URL", "")
SECOND_PID = os.environ.get("TEST_SECOND_REPLICA_PID", "")


def _replayed(url: str, target: str) -> bool:
    with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3) as replica:
        row = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()
    return bool(row and row[0])


def wait_for_both(urls: list[str], timeout: float = 10.0) -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        pending = [url for url in pending if not _replayed(url, target)]
        assert time.monotonic() < deadline, f"not replayed in time: {pending}"
        time.sleep(0.01)


def _transactions(url: str) -> int:
    """Statements the replica's database has committed (reads included), so far."""
    with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3) as replica:
        row = replica.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.skipif(not (SECOND_URL and SECOND_PID), reason="make test's harness makes the second replica")
def test_reads_spread_over_two_replicas_and_survive_losing_one(tmp_path: Path, transactional_db: None) -> None:
    test_db = connections["default"].settings_dict["NAME"]
    first = database_url("replica")
    second = SECOND_URL.rsplit("/", 1)[0] + f"/{test_db}"
    read, port = start_api(
        "read-api", tmp_path, workers=1, REPLICA_DATABASE_URLS=f"{first},{second}", REPLICA_BREAKER_COOLDOWN="30"
    )
    base = f"http://127.0.0.1:{port}"
    try:
        users = [UserFactory() for _ in range(5)]
        wait_for_both([first, second])
        before = {url: _transactions(url) for url in (first, second)}
        for user in users * 4:  # a followers page is read from a replica at each request
            response = requests.get(f"{base}/api/v1/users/{user.pk}/followers", timeout=10)
            assert response.status_code == 200, response.text
        # Both replicas served reads (their statistics reach pg_stat_database within a second
        # or so of the statements).
        eventually(
            lambda: all(_transactions(url) > count for url, count in before.items()), what="reads on both replicas"
        )

        writer = users[0]
        failures: list[str] = []
        stop = threading.Event()

        def read_own_writes() -> None:
            """A user who just posted sees the post at once, whatever happens to replicas."""
            n = 0
            try:
                while not stop.is_set():
                    n += 1
                    posted = tweet_services.tweet_create(author_id=writer.pk, text=f"mine {n}")
                    got = requests.get(f"{base}/api/v1/tweets/{posted.tweet.id}", headers=auth(writer), timeout=10)
                    if got.status_code != 200:
                        failures.append(f"own read of {posted.tweet.id}: {got.status_code} {got.text[:200]}")
            finally:
                connections.close_all()  # this thread's own connections

        def read_others() -> None:
            while not stop.is_set():
                for user in users[1:]:
                    got = requests.get(f"{base}/api/v1/users/{user.pk}/followers", timeout=10)
                    if got.status_code != 200:
                        failures.append(f"read {got.status_code}: {got.text[:200]}")

        threads = [threading.Thread(target=read_own_writes), threading.Thread(target=read_others)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1.0)  # reads and writes under way on both replicas
            os.killpg(int(SECOND_PID), signal.SIGKILL)  # the second replica, its server and backends
            time.sleep(3.0)  # reads go on after the loss
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
        assert not failures, failures[:5]
        answered = [requests.get(f"{base}/api/v1/users/{u.pk}/followers", timeout=10).status_code for u in users]
        assert answered == [200] * len(users)
        health: Any = requests.get(f"{base}/health/ready", timeout=10).json()
        replicas = health["checks"]["replica"]["replicas"]
        assert replicas["replica"]["ok"] is True
        assert replicas["replica2"]["ok"] is False
    finally:
        read.stop()
