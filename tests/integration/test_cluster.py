"""Timelines on a Redis Cluster that loses a node (issue 14): reads degrade to the
database for the keys that node held, the other nodes keep serving theirs, writes go on,
and nothing a user was told was saved is lost once the node is back (empty)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.cluster import RedisCluster

import twitter.redis
from devstack.redis import Cluster
from tests.factories import UserFactory
from tests.integration.conftest import eventually, start_worker
from twitter import keys

# It starts a cluster of its own (to kill one of its nodes), so it runs in one pass.
pytestmark = [pytest.mark.integration, pytest.mark.single_redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_cluster(tmp_path: Path, settings: Any) -> Iterator[Cluster]:
    """Three masters of this test's own; this process's data Redis while the test runs."""
    cluster = Cluster(tmp_path / "cluster")
    cluster.start()
    settings.REDIS_CLUSTER, settings.REDIS_URL = True, cluster.url  # the client follows the settings
    try:
        yield cluster
    finally:
        cluster.stop()


def _node_port(client: RedisCluster, key: str) -> int:
    return int(client.get_node_from_key(key).port)


def _every_home(readers: list[Any], expected: list[str], what: str, nodes: dict[int, int] | None = None) -> None:
    def differing() -> dict[int, Any]:
        found = {r.user.pk: r.home_ids() for r in readers}
        return {user: (ids, (nodes or {}).get(user)) for user, ids in found.items() if ids != expected}

    try:
        eventually(lambda: not differing(), what=what)
    except AssertionError:
        raise AssertionError(f"{what}: expected {expected}; differing (ids, node): {differing()}") from None


def test_a_cluster_node_killed_mid_test_loses_nothing(tmp_path: Path, api_for: Any, own_cluster: Cluster) -> None:
    worker = start_worker(tmp_path, REDIS_CLUSTER="true", REDIS_URL=own_cluster.url, OUTBOX_SWEEP_INTERVAL_SECONDS="1")
    try:
        author = api_for(UserFactory())
        client: Any = twitter.redis.get_redis()
        # The node to kill is the clients' default node (every process picks the same: the
        # first primary the cluster lists), the one redis-py asks what it does not know
        # about a command. Readers are made until a few homes are on it and a few elsewhere.
        doomed = int(client.get_default_node().port)
        readers: list[Any] = []
        on_doomed: list[bool] = []
        while on_doomed.count(True) < 4 or on_doomed.count(False) < 4:
            assert len(readers) < 60, "user ids that hash to one node only"
            readers.append(api_for(UserFactory()))
            on_doomed.append(_node_port(client, keys.home_timeline(readers[-1].user.pk)) == doomed)
        for reader in readers:
            reader.follow(author.user)
            assert reader.home_ids() == []  # an active reader: the home list exists on its node
        first = author.tweet("before the node goes")["id"]
        for reader in readers:
            eventually(lambda r=reader: r.home_ids() == [first], what="the first tweet fanned out")

        homes = {r.user.pk: _node_port(client, keys.home_timeline(r.user.pk)) for r in readers}
        own_cluster.stop_node(doomed)  # killed: its keys are gone with it

        during = author.tweet("while a node is down")["id"]  # 201: the write is kept
        # Served from a live node's cache, or from the database when the reader's keys were
        # on the dead node.
        _every_home(readers, [during, first], "every home while the node is down", homes)
        assert author.read.get(f"/api/v1/tweets/{during}").status_code == 200

        own_cluster.start_node(doomed)  # back, empty, with the slots it held
        eventually(own_cluster.ready, timeout=30, what="the cluster whole again")
        after = author.tweet("once the node is back")["id"]
        _every_home(readers, [after, during, first], "every home, nothing lost")
    finally:
        worker.stop()
