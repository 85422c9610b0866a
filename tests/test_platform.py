"""Cross-cutting behaviour of both APIs: role headers, health, schema, migrations."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from rest_framework.test import APIClient

from apps.users.models import User
from twitter.db.guards import PrimaryWriteForbiddenError, ReadApiDatabaseMiddleware
from twitter.redis import get_redis


@pytest.mark.django_db
def test_each_api_says_who_answered_and_echoes_the_request_id(write_api: APIClient, read_api: APIClient) -> None:
    write = write_api.post("/api/v1/auth/logout", {}, format="json", HTTP_X_REQUEST_ID="req-123")
    read = read_api.get("/health/live", HTTP_X_REQUEST_ID="bad id with spaces")
    assert write["X-Served-By"] == "write-api"
    assert write["X-Request-ID"] == "req-123"
    assert read["X-Served-By"] == "read-api"
    assert read["X-Request-ID"] != "bad id with spaces"
    assert len(read["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_readiness_names_every_dependency(read_api: APIClient) -> None:
    response = read_api.get("/health/ready")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "replica", "redis", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readiness_reports_redis_down_as_degraded_not_unavailable(write_api: APIClient, settings: Any) -> None:
    import twitter.redis

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    twitter.redis._client = None
    try:
        response = write_api.get("/health/ready")
    finally:
        twitter.redis._client = None
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["down"] == ["redis"]
    assert body["checks"]["redis"]["ok"] is False
    assert "error" in body["checks"]["redis"]


@pytest.mark.django_db
def test_the_read_api_cannot_write_to_the_primary() -> None:
    def handler(request: object) -> Any:
        with transaction.atomic():
            return User.objects.create(username="sneaky", email="s@example.com")

    with pytest.raises(PrimaryWriteForbiddenError):
        ReadApiDatabaseMiddleware(handler)(object())  # type: ignore[arg-type]
    assert not User.objects.filter(username="sneaky").exists()
    with connections["default"].cursor() as cursor:  # outside the read-API the guard is gone
        cursor.execute("SELECT 1")


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", ["write_api", "read_api"])
def test_openapi_schema_and_docs_on_both_apis(request: pytest.FixtureRequest, client_name: str) -> None:
    client: APIClient = request.getfixturevalue(client_name)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    if client_name == "write_api":
        assert "/api/v1/auth/register" in paths
        assert "patch" in paths["/api/v1/users/me"]
    else:
        assert "/api/v1/users/{user_id}" in paths
        assert "get" in paths["/api/v1/users/me"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.mark.django_db
def test_metrics_are_exposed(read_api: APIClient) -> None:
    read_api.get("/health/live")
    response = read_api.get("/metrics")
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_redis_is_the_real_one() -> None:
    client = get_redis()
    client.set("probe", "1")
    assert client.get("probe") == b"1"
    assert client.info("server")["redis_version"]
