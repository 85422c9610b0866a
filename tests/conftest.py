"""Fixtures: role clients (write-API / read-API in process), tokens, clean Redis.

Unit tests run inside one transaction on the primary, which the replica cannot see, so
for them the `replica` alias shares the primary's connection (what Django's test MIRROR
once did). Tests marked `replica` keep the real, separate replica connection and commit.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import current_app
from django.conf import settings
from django.db import connections
from django.test import override_settings
from rest_framework.test import APIClient

from apps.users.models import User
from config.settings import read as read_settings
from tests.factories import PASSWORD, UserFactory
from twitter import events, id_worker, ratelimit
from twitter.api.revocations import revocations
from twitter.db.routing import replica_breaker
from twitter.models import OutboxEvent
from twitter.redis import get_redis

DB_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def _replica_connection(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("replica"):
        yield
        return
    # Set up the test database access first: Django's isolation wraps every alias a test
    # does not declare, and it must wrap the real replica wrapper, not the shared one.
    for name in DB_FIXTURES:
        if name in request.fixturenames:
            request.getfixturevalue(name)
    real = connections["replica"]
    connections["replica"] = connections["default"]
    try:
        yield
    finally:
        connections["replica"] = real


def broker_redis() -> redis.Redis:
    """The Celery broker's Redis: the data Redis itself, or (on a cluster) a single Redis."""
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@pytest.fixture(autouse=True)
def _clean_redis() -> None:
    get_redis().flushdb()
    if settings.CELERY_BROKER_URL != settings.REDIS_URL:
        broker_redis().flushdb()
    revocations.forget()  # what this process knew of the emptied Redis
    ratelimit.batched.clear()
    replica_breaker.record_success()
    events.broker_breaker.record_success()


@pytest.fixture(scope="session", autouse=True)
def _release_id_lease(django_db_setup: None) -> Iterator[None]:
    """The lease holds a connection to the test database; give it back before it is dropped."""
    yield
    id_worker.release()


@pytest.fixture
def write_api() -> APIClient:
    return APIClient()


READ_ROLE = {
    "SERVICE_ROLE": read_settings.SERVICE_ROLE,
    "ROOT_URLCONF": read_settings.ROOT_URLCONF,
    "MASTODON_URLCONF": read_settings.MASTODON_URLCONF,
    "MIDDLEWARE": read_settings.MIDDLEWARE,
    "DATABASE_ROUTERS": read_settings.DATABASE_ROUTERS,
}


class ReadApiClient(APIClient):
    """Every request runs as the read-API does: its URLs, middleware and router."""

    def request(self, **kwargs: Any) -> Any:
        with override_settings(**READ_ROLE):
            return super().request(**kwargs)


@pytest.fixture
def read_api() -> APIClient:
    return ReadApiClient()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory()


def login(client: APIClient, user: User) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return dict(response.json())


@pytest.fixture
def tokens(write_api: APIClient, user: User) -> dict[str, str]:
    return login(write_api, user)


def authorize(client: APIClient, access: str) -> APIClient:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


class Events:
    """Delivers outbox events the way the worker does, in this process (eagerly)."""

    def __init__(self) -> None:
        self._delivered: set[int] = set()
        current_app.loader.import_default_modules()  # the worker imports every tasks module

    def published(self, event_type: str) -> list[dict[str, Any]]:
        return [e.payload for e in OutboxEvent.objects.filter(event_type=event_type).order_by("id")]

    def deliver(self) -> int:
        """Run every consumer of every event not yet delivered; return how many events."""
        count = 0
        for event in OutboxEvent.objects.order_by("id"):
            if event.id in self._delivered:
                continue
            self._delivered.add(event.id)
            for task_name in events.subscribers(event.event_type, event.payload):
                current_app.tasks[task_name](event.id, event.payload)
            count += 1
        return count


@pytest.fixture
def outbox(transactional_db: None) -> Events:
    """Real commits, so after-commit effects (local handlers, the relay) run as in
    production; the consumers run when the test calls `outbox.deliver()`."""
    return Events()


class Api:
    """A signed-in user driving both APIs, as a client would through the gateway."""

    def __init__(self, user: User, write: APIClient, read: APIClient, access: str) -> None:
        self.user = user
        self.access = access
        self.write = authorize(write, access)
        self.read = authorize(read, access)

    def tweet(self, text: str, **extra: Any) -> dict[str, Any]:
        response = self.write.post("/api/v1/tweets", {"text": text, **extra}, format="json")
        assert response.status_code == 201, response.content
        return dict(response.json())

    def follow(self, other: User) -> None:
        assert self.write.post(f"/api/v1/users/{other.pk}/follow").status_code == 200

    def unfollow(self, other: User) -> None:
        assert self.write.delete(f"/api/v1/users/{other.pk}/follow").status_code == 200

    def home(self, **params: Any) -> list[dict[str, Any]]:
        response = self.read.get("/api/v1/timelines/home", params)
        assert response.status_code == 200, response.content
        return list(response.json())

    def home_ids(self, **params: Any) -> list[str]:
        return [tweet["id"] for tweet in self.home(**params)]

    def every_home_id(self, limit: int) -> list[str]:
        """The whole home timeline, page by page with `max_id`, as a client walks it."""
        seen: list[str] = []
        while page := self.home_ids(limit=limit, **({"max_id": seen[-1]} if seen else {})):
            seen += page
        return seen


@pytest.fixture
def api_for(transactional_db: None) -> Any:
    """api_for(user) -> Api signed in as `user` (tokens made directly, no login round trip)."""
    from rest_framework_simplejwt.tokens import AccessToken

    def make(user: User) -> Api:
        return Api(user, APIClient(), ReadApiClient(), str(AccessToken.for_user(user)))

    return make
