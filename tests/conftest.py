"""Fixtures: role clients (write-API / read-API in process), tokens, clean Redis.

Unit tests run inside one transaction on the primary, which the replica cannot see, so
for them the `replica` alias shares the primary's connection (what Django's test MIRROR
once did). Tests marked `replica` keep the real, separate replica connection and commit.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings
from rest_framework.test import APIClient

from apps.users.models import User
from config.settings import read as read_settings
from tests.factories import PASSWORD, UserFactory
from twitter import id_worker
from twitter.db.routing import replica_breaker
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


@pytest.fixture(autouse=True)
def _clean_redis() -> None:
    get_redis().flushdb()
    replica_breaker.record_success()


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
