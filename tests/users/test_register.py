from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.users.models import User
from tests.factories import UserFactory
from tests.twitter.test_rate_limits import limit

URL = "/api/v1/auth/register"
GOOD = {"username": "alice_1", "email": "Alice@Example.COM", "password": "a-Long-passphrase-42"}


def _error(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return dict(body["error"])


@pytest.mark.django_db
def test_register_creates_an_account_with_an_argon2_hash(write_api: APIClient) -> None:
    response = write_api.post(URL, {**GOOD, "display_name": "  Alice  "}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get()
    assert body["id"] == str(user.id)
    assert body["username"] == "alice_1"
    assert body["email"] == "alice@example.com"
    assert body["display_name"] == "Alice"
    assert body["followers_count"] == 0
    assert "password" not in body
    assert user.password.startswith("argon2")
    assert response["X-Served-By"] == "write-api"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "ALICE_1"}, "username"),  # taken, case-insensitively
        ({"email": "alice@EXAMPLE.com", "username": "other"}, "email"),  # taken, case-insensitively
    ],
)
def test_taken_username_or_email_is_refused(write_api: APIClient, changes: dict[str, str], field: str) -> None:
    UserFactory(username="alice_1", email="alice@example.com")
    response = write_api.post(URL, {**GOOD, **changes}, format="json")
    assert response.status_code == 400
    assert field in _error(response)["fields"]  # type: ignore[operator]
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "has space"}, "username"),
        ({"username": "a" * 16}, "username"),
        ({"username": ""}, "username"),
        ({"username": "ünïcode"}, "username"),
        ({"username": 12345}, "username"),
        ({"username": "x" * 10_000}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ["a@b.c"]}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "12345678901234"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": None}, "password"),
        ({"display_name": "bell\x07"}, "display_name"),
        ({"display_name": "n" * 51}, "display_name"),
        ({"unexpected": "field"}, "unexpected"),
    ],
)
def test_invalid_registration_is_a_clear_400_and_creates_nothing(
    write_api: APIClient, changes: dict[str, object], field: str
) -> None:
    response = write_api.post(URL, {**GOOD, **changes}, format="json")
    assert response.status_code == 400, response.content
    error = _error(response)
    assert error["code"] == "invalid"
    assert field in error["fields"]  # type: ignore[operator]
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "parse_error"),
        ('["a", "list"]', "application/json", 400, "invalid"),
        ("null", "application/json", 400, "invalid"),
        ("username=a", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies_are_4xx(write_api: APIClient, body: str, content_type: str, status: int, code: str) -> None:
    response = write_api.generic("POST", URL, body, content_type=content_type)
    assert response.status_code == status
    assert _error(response)["code"] == code


@pytest.mark.django_db
def test_oversized_body_is_413(write_api: APIClient) -> None:
    response = write_api.generic(
        "POST", URL, '{"username": "' + "a" * 3_000_000 + '"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


@pytest.mark.django_db
def test_registration_is_throttled_per_address(write_api: APIClient, settings: Any) -> None:
    limit(settings, register="2/min")
    codes = [
        write_api.post(URL, {**GOOD, "username": f"u{i}", "email": f"u{i}@example.com"}, format="json").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert User.objects.count() == 2
