import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.users import services
from apps.users.models import User
from tests.conftest import authorize
from tests.factories import UserFactory
from twitter import keys
from twitter.db import routing
from twitter.redis import get_redis

ME = "/api/v1/users/me"


@pytest.mark.django_db
def test_me_on_the_read_api_costs_one_query_and_no_auth_lookup(
    read_api: APIClient, user: User, tokens: dict[str, str]
) -> None:
    with CaptureQueriesContext(connections["default"]) as queries:
        response = authorize(read_api, tokens["access"]).get(ME)
    assert response.status_code == 200
    assert response["X-Served-By"] == "read-api"
    body = response.json()
    assert body["id"] == str(user.id)
    assert body["email"] == user.email
    assert len(queries) == 1  # the profile itself; the token is checked without the database
    assert '"users_user"' in queries[0]["sql"]


@pytest.mark.django_db
def test_me_needs_a_token(read_api: APIClient) -> None:
    response = read_api.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_patch_me_then_read_it_back(
    write_api: APIClient, read_api: APIClient, user: User, tokens: dict[str, str]
) -> None:
    changes = {"display_name": " Ada  Lovelace ", "bio": "line one\nline two", "location": "London", "website": ""}
    response = authorize(write_api, tokens["access"]).patch(ME, changes, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "Ada  Lovelace"
    read = authorize(read_api, tokens["access"]).get(ME).json()
    assert (read["display_name"], read["bio"], read["location"]) == ("Ada  Lovelace", "line one\nline two", "London")


@pytest.mark.django_db(transaction=True)
def test_a_write_pins_the_writers_reads_to_the_primary_briefly(write_api: APIClient, user: User) -> None:
    tokens = write_api.post(
        "/api/v1/auth/token", {"username": user.username, "password": "correct-horse-battery-staple"}, format="json"
    ).json()
    authorize(write_api, tokens["access"]).patch(ME, {"bio": "fresh"}, format="json")
    assert get_redis().pttl(keys.recent_write(user.id)) > 0
    assert routing.recently_wrote(user.id)
    assert not routing.recently_wrote(user.id + 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bio": "b" * 161}, "bio"),
        ({"display_name": "tab\there"}, "display_name"),
        ({"display_name": "new\nline"}, "display_name"),
        ({"location": 42}, "location"),
        ({"website": "ftp://example.com"}, "website"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"email": "new@example.com"}, "email"),
        ({"username": "renamed"}, "username"),
    ],
)
def test_invalid_profile_changes_are_400_and_change_nothing(
    write_api: APIClient, user: User, tokens: dict[str, str], changes: dict[str, object], field: str
) -> None:
    before = User.objects.values().get(pk=user.pk)
    response = authorize(write_api, tokens["access"]).patch(ME, changes, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert User.objects.values().get(pk=user.pk) == before


@pytest.mark.django_db
def test_public_profile_by_id_and_by_username(read_api: APIClient, user: User) -> None:
    by_id = read_api.get(f"/api/v1/users/{user.id}")
    by_name = read_api.get(f"/api/v1/users/by-username/{user.username.upper()}")
    assert by_id.status_code == by_name.status_code == 200
    assert by_id.json() == by_name.json()
    body = by_id.json()
    assert "email" not in body
    assert isinstance(body["id"], str)
    assert set(body) >= {"username", "display_name", "followers_count", "following_count", "tweets_count", "created_at"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users/123",
        "/api/v1/users/99999999999999999999999",
        "/api/v1/users/9223372036854775808",
        "/api/v1/users/0",
        "/api/v1/users/-5",
        "/api/v1/users/abc",
        "/api/v1/users/by-username/nobody_here",
        "/api/v1/nothing-here",
    ],
)
def test_unknown_users_and_paths_are_404_in_the_error_format(read_api: APIClient, path: str) -> None:
    response = read_api.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] in {"not_found", "user_not_found"}


@pytest.mark.django_db
def test_suspended_profiles_are_hidden(read_api: APIClient) -> None:
    suspended = UserFactory()
    services.user_suspend(user_id=suspended.pk)
    response = read_api.get(f"/api/v1/users/{suspended.id}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "user_suspended"
    services.user_unsuspend(user_id=suspended.pk)
    assert read_api.get(f"/api/v1/users/{suspended.id}").status_code == 200


@pytest.mark.django_db
def test_wrong_method_on_either_api_is_405(write_api: APIClient, read_api: APIClient, tokens: dict[str, str]) -> None:
    assert authorize(write_api, tokens["access"]).get(ME).status_code == 405
    response = authorize(read_api, tokens["access"]).patch(ME, {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
