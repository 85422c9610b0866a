import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from apps.search import services
from apps.search.backends.base import SearchBackend
from apps.search.backends.elastic.backend import ElasticsearchBackend
from apps.search.backends.postgres import PostgresBackend
from apps.users.models import User
from tests.conftest import Events


class Backend:
    """A backend under contract, and how to bring it up to date with the database the
    way production does (outbox events delivered to their consumers)."""

    def __init__(self, backend: SearchBackend, outbox: Events, *, indexes_users: bool) -> None:
        self.backend = backend
        self.outbox = outbox
        self.indexes_users = indexes_users

    def sync(self) -> None:
        self.outbox.deliver()
        if self.indexes_users:  # factory-made accounts never went through registration
            for user_id in User.objects.values_list("id", flat=True):
                services.user_index(user_id=user_id)


@pytest.fixture(params=["postgres", "elasticsearch"])
def search_backend(request: pytest.FixtureRequest, outbox: Events) -> Iterator[Backend]:
    if request.param == "postgres":
        yield Backend(PostgresBackend(), outbox, indexes_users=False)
        return
    if not os.environ.get("ELASTICSEARCH_URL"):
        pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch cluster to test against")
    prefix = f"test-{os.getpid()}-{request.node.name.lower()[:40]}"
    with override_settings(SEARCH_INDEX_PREFIX=prefix, SEARCH_REFRESH_ON_WRITE=True):
        yield Backend(ElasticsearchBackend(), outbox, indexes_users=True)
        from apps.search.backends.elastic.client import client

        client().indices.delete(index=f"{prefix}-*", ignore_unavailable=True)


def ids(items: list[Any]) -> list[int]:
    return [int(item) for item in items]
