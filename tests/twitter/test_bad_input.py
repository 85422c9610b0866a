"""Malformed input is a clear 4xx in the error envelope, on both APIs, never a 5xx: the
cases a stranger found (deep JSON, lone surrogates, huge numbers, forged claims)."""

import time
from typing import Any

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.users.models import User
from tests.conftest import authorize
from tests.twitter.test_rate_limits import limit
from twitter.db.routing import replica_breaker

JSON_POSTS = [
    "/api/v1/auth/register",
    "/api/v1/auth/token",
    "/api/v1/auth/token/refresh",
    "/api/v1/auth/logout",
    "/api/v1/tweets",
    "/api/v1/media",
    "/api/v1/notifications/read",
]
PAGINATED = [
    "/api/v1/users/{user}/followers",
    "/api/v1/users/{user}/following",
    "/api/v1/users/{user}/tweets",
    "/api/v1/users/{user}/likes",
    "/api/v1/timelines/home",
    "/api/v1/notifications",
    "/api/v1/hashtags/cats/tweets",
    "/api/v1/search?q=cats",
]


def _error(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    if code is not None:
        assert body["error"]["code"] == code
    assert response["X-Request-ID"]


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("path", [*JSON_POSTS, "/api/v1/users/me"])
def test_deeply_nested_json_is_a_400(write_api: APIClient, user: User, path: str, depth: int) -> None:
    authorize(write_api, str(AccessToken.for_user(user)))
    body = "[" * depth + "]" * depth
    method = "PATCH" if path.endswith("/me") else "POST"
    response = write_api.generic(method, path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in {"parse_error", "invalid"}


@pytest.mark.django_db
def test_deep_json_while_throttled_is_still_a_4xx(write_api: APIClient, settings: Any) -> None:
    limit(settings, login="1/300")
    body = "[" * 5_000 + "]" * 5_000
    first = write_api.generic("POST", "/api/v1/auth/token", body, content_type="application/json")
    _error(first, 400, "parse_error")
    _error(write_api.generic("POST", "/api/v1/auth/token", body, content_type="application/json"), 429, "throttled")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"username": "\\udc80", "password": "x"}',
        '{"username": "a\\ud800b", "password": "x"}',
        b'{"username": "\xff\xfe", "password": "x"}',
    ],
)
def test_lone_surrogates_and_invalid_utf8_in_a_login_are_a_400(write_api: APIClient, body: Any) -> None:
    response = write_api.generic("POST", "/api/v1/auth/token", body, content_type="application/json")
    _error(response, 400, "parse_error")


@pytest.mark.django_db
def test_nul_in_a_login_or_a_query_is_a_400(write_api: APIClient, read_api: APIClient) -> None:
    login = write_api.generic(
        "POST", "/api/v1/auth/token", '{"username": "nul\\u0000", "password": "x"}', content_type="application/json"
    )
    _error(login, 400)
    _error(read_api.get("/api/v1/search", {"q": "cats\x00dogs"}), 400)
    _error(read_api.get("/api/v1/users/by-username/a%00b"), 400)
    # Bad input is no sign of a failing replica: reads stay there.
    assert not replica_breaker.is_open


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGINATED)
@pytest.mark.parametrize("value", ["9" * 5_000, "1e3", "-1", "0", "101", "١٢"])
def test_every_paginated_list_refuses_a_bad_limit(read_api: APIClient, user: User, path: str, value: str) -> None:
    authorize(read_api, str(AccessToken.for_user(user)))
    url = path.format(user=user.pk)
    response = read_api.get(url + ("&" if "?" in url else "?") + f"limit={value}")
    _error(response, 400)
    assert "limit" in response.json()["error"]["fields"]


def _signed(**claims: Any) -> str:
    base = {"token_type": "access", "jti": "x", "iat": int(time.time()), "exp": int(time.time()) + 300}
    return jwt.encode({**base, **claims}, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": "tomorrow"}, id="exp-string"),
        pytest.param({"exp": 10**30}, id="exp-huge"),
        pytest.param({"exp": None}, id="exp-null"),
        pytest.param({"user_id": [1, 2]}, id="user-list"),
        pytest.param({"user_id": "abc"}, id="user-text"),
        pytest.param({"user_id": 10**40}, id="user-huge"),
        pytest.param({"user_id": {"id": 1}}, id="user-object"),
        pytest.param({"token_type": None}, id="no-type"),
        pytest.param({"sid": ["a"]}, id="session-list"),
        pytest.param({"iat": "yesterday"}, id="iat-string"),
    ],
)
def test_signed_tokens_with_malformed_claims_are_a_401(
    write_api: APIClient, read_api: APIClient, user: User, claims: dict[str, Any]
) -> None:
    token = _signed(user_id=claims.pop("user_id", user.pk), **claims)
    for client, method, path in (
        (read_api, "get", "/api/v1/users/me"),
        (read_api, "get", "/api/v1/timelines/home"),
        (write_api, "patch", "/api/v1/users/me"),
        (write_api, "post", "/api/v1/tweets"),
    ):
        response = getattr(authorize(client, token), method)(path, {"text": "x"}, format="json")
        _error(response, 401)
