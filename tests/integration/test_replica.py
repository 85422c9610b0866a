"""Against the real streaming replica: committed rows, separate connections."""

import socket
from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.users.models import User
from tests.factories import UserFactory
from tests.integration.conftest import wait_for_replica
from twitter.db.routing import replica_breaker

pytestmark = [pytest.mark.replica, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]


def test_the_replica_is_a_streaming_standby() -> None:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (False,)


def test_a_row_written_on_the_primary_is_read_back_from_the_replica(read_api: APIClient) -> None:
    user = UserFactory(display_name="Replicated")
    wait_for_replica()
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = read_api.get(f"/api/v1/users/{user.id}")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Replicated"
    assert len(on_replica) == 1
    assert len(on_primary) == 0, [q["sql"] for q in on_primary]


def test_inserts_on_the_replica_connection_fail() -> None:
    with pytest.raises(DatabaseError, match="read-only transaction"), connections["replica"].cursor() as cursor:
        cursor.execute("INSERT INTO users_user (id, username, email, password) VALUES (1, 'x', 'x@x.x', '')")
    assert not User.objects.filter(pk=1).exists()


def test_a_brand_new_row_missing_on_the_replica_is_read_from_the_primary(read_api: APIClient) -> None:
    user = UserFactory()
    with connections["replica"].cursor() as cursor:  # a replica that has not replayed it yet
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("UPDATE users_user SET display_name = 'after pause' WHERE id = %s", [user.id])
        newer = UserFactory()
        response = read_api.get(f"/api/v1/users/{newer.id}")
        assert response.status_code == 200
        assert response.json()["username"] == newer.username
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def replica_at(request: pytest.FixtureRequest) -> Iterator[None]:
    """Point the replica alias at another port for one test, then back."""
    replica = connections["replica"]
    original = replica.settings_dict["PORT"]

    def move(port: int | str) -> None:
        replica.close()
        replica.close_pool()
        replica.settings_dict["PORT"] = str(port)

    request.node.move_replica = move
    try:
        yield
    finally:
        move(original)
        replica_breaker.record_success()


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: connections are refused


def test_with_the_replica_down_reads_fall_back_and_the_breaker_opens(
    read_api: APIClient, replica_at: None, request: pytest.FixtureRequest
) -> None:
    user = UserFactory()
    request.node.move_replica(_dead_port())
    first = read_api.get(f"/api/v1/users/{user.id}")
    assert first.status_code == 200
    assert replica_breaker.is_open
    with CaptureQueriesContext(connections["default"]) as on_primary:
        second = read_api.get(f"/api/v1/users/{user.id}")
    assert second.status_code == 200
    assert len(on_primary) == 1
    assert connections["replica"].connection is None  # the open breaker kept it untouched


def test_a_hung_replica_trips_the_breaker_too(
    read_api: APIClient, replica_at: None, request: pytest.FixtureRequest
) -> None:
    user = UserFactory()
    with socket.socket() as silent:  # accepts TCP connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        request.node.move_replica(silent.getsockname()[1])
        for _ in range(10):  # each request waits at most REPLICA_TIMEOUT, then uses the primary
            assert read_api.get(f"/api/v1/users/{user.id}").status_code == 200
            if replica_breaker.is_open:
                break
    assert replica_breaker.is_open


def test_the_breaker_closes_when_the_replica_is_back(
    read_api: APIClient, replica_at: None, request: pytest.FixtureRequest
) -> None:
    user = UserFactory()
    original = connections["replica"].settings_dict["PORT"]
    request.node.move_replica(_dead_port())
    cooldown, replica_breaker.cooldown = replica_breaker.cooldown, 0.0
    try:
        assert read_api.get(f"/api/v1/users/{user.id}").status_code == 200
        assert replica_breaker.is_open
        request.node.move_replica(original)
        wait_for_replica()
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert read_api.get(f"/api/v1/users/{user.id}").status_code == 200
        assert len(on_replica) == 1
        assert not replica_breaker.is_open
    finally:
        replica_breaker.cooldown = cooldown


def test_paging_past_the_cached_home_continues_on_the_replica(read_api: APIClient) -> None:
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.follows import services as follow_services
    from apps.timelines import feeds
    from apps.tweets.models import Tweet
    from twitter.ids import new_id

    reader, author = UserFactory(), UserFactory()
    follow_services.follow_create(follower_id=reader.pk, followee_id=author.pk)
    posted = [new_id() for _ in range(1100)]
    Tweet.objects.bulk_create([Tweet(id=i, author_id=author.pk, text=f"tweet {n}") for n, i in enumerate(posted)])
    wait_for_replica()
    read_api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(reader)}")

    seen: list[int] = []
    replica_queries = primary_queries = 0
    query = "limit=100"
    while True:
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = read_api.get(f"/api/v1/timelines/home?{query}")
        assert response.status_code == 200
        page = [int(tweet["id"]) for tweet in response.json()]
        if not page:
            break
        if seen:  # the first page rebuilt the cached list
            replica_queries += len(on_replica)
            primary_queries += len(on_primary)
        seen += page
        query = f"limit=100&max_id={page[-1]}"
    assert seen == sorted(posted, reverse=True)  # every tweet once, in order
    assert len(feeds.ids(feeds.Home(reader.pk)) or []) == feeds.cap()
    assert replica_queries > 0  # the pages past the cache came from the replica
    assert primary_queries == 0


def test_a_list_under_rebuild_is_never_visible_half_made(read_api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The replica has not replayed a followee's 5 newest tweets and the reader's home list
    is gone. While the rebuild catches up on the primary, what readers waiting for it
    would take (the list, as soon as it exists) must already hold all 5."""
    from apps.follows import services as follow_services
    from apps.timelines import feeds, services
    from apps.tweets import services as tweet_services

    reader, author = UserFactory(), UserFactory()
    follow_services.follow_create(follower_id=reader.pk, followee_id=author.pk)
    wait_for_replica()
    home = feeds.Home(reader.pk)
    seen_by_waiters: list[list[int] | None] = []
    real = services.home_ids_from_database

    def spied(*, user_id: int, using: str, min_id: int | None = None) -> tuple[list[int], set[int]]:
        if using == "default":  # the catch-up: a waiting reader would now serve...
            seen_by_waiters.append(feeds.ids(home))
        return real(user_id=user_id, using=using, min_id=min_id)

    monkeypatch.setattr(services, "home_ids_from_database", spied)
    read_api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(reader)}")
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        posted = [tweet_services.tweet_create(author_id=author.pk, text=f"new {n}").tweet.pk for n in range(5)]
        feeds.drop(home)
        response = read_api.get("/api/v1/timelines/home")
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    assert response.status_code == 200
    assert [int(tweet["id"]) for tweet in response.json()] == posted[::-1]
    assert seen_by_waiters  # the rebuild did catch up on the primary
    for waiters_list in seen_by_waiters:
        assert waiters_list is None or set(posted) <= set(waiters_list)
