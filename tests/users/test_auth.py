from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.users import services
from apps.users.models import User
from tests.conftest import authorize, login
from tests.factories import PASSWORD, UserFactory
from tests.twitter.test_rate_limits import limit

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/token/refresh"
LOGOUT = "/api/v1/auth/logout"


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["username", "email"])
def test_login_by_username_or_email_case_insensitively(write_api: APIClient, user: User, field: str) -> None:
    login_value = getattr(user, field).upper()
    response = write_api.post(TOKEN, {field: login_value, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh"}


@pytest.mark.django_db
def test_username_field_also_takes_an_email(write_api: APIClient, user: User) -> None:
    response = write_api.post(TOKEN, {"username": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_failed_logins_do_not_tell_which_part_was_wrong(write_api: APIClient, user: User) -> None:
    wrong_password = write_api.post(TOKEN, {"username": user.username, "password": "nope"}, format="json")
    no_such_user = write_api.post(TOKEN, {"username": "ghost", "password": "nope"}, format="json")
    services.user_suspend(user_id=user.pk)
    suspended = write_api.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert wrong_password.status_code == no_such_user.status_code == suspended.status_code == 401
    assert wrong_password.json() == no_such_user.json() == suspended.json()
    assert wrong_password.json()["error"]["code"] == "invalid_credentials"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"password": "x"},
        {"username": "a"},
        {"username": 5, "password": "x"},
        {"username": "a", "password": "x", "z": 1},
    ],
)
def test_incomplete_login_is_400(write_api: APIClient, body: dict[str, Any]) -> None:
    response = write_api.post(TOKEN, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.django_db
def test_login_is_throttled_per_address_and_account_in_every_spelling(write_api: APIClient, settings: Any) -> None:
    UserFactory(username="skizjbn0gvf")
    # Windows of a day: the five attempts fall in one window however long they take (with
    # a minute's window, a run that crossed a minute boundary started counting again).
    limit(settings, login_account="3/86400")
    spellings = ["skizjbn0gvf", "SKIZJBN0GVF", "\u017fkizjbn0gvf", "sk\u0131zjbn0gvf"]  # long s, dotless i
    codes = [
        write_api.post(TOKEN, {"username": name, "password": "wrong"}, format="json").status_code for name in spellings
    ]
    assert codes == [401, 401, 401, 429]
    throttled = write_api.post(TOKEN, {"username": "skizjbn0gvf", "password": PASSWORD}, format="json")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled["X-RateLimit-Remaining"] == "0"
    assert throttled.json()["error"]["code"] == "throttled"
    # The account's owner, signing in from elsewhere, is not locked out by those failures.
    elsewhere = write_api.post(
        TOKEN, {"username": "skizjbn0gvf", "password": PASSWORD}, format="json", REMOTE_ADDR="192.0.2.7"
    )
    assert elsewhere.status_code == 200, elsewhere.content


@pytest.mark.django_db
def test_refresh_rotates_and_the_old_refresh_token_stops_working(write_api: APIClient, tokens: dict[str, str]) -> None:
    first = write_api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert first.json()["refresh"] != tokens["refresh"]
    replay = write_api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "token_reused"


@pytest.mark.django_db(transaction=True)  # the revocation runs after commit
def test_reusing_a_rotated_refresh_token_ends_every_token_descended_from_it(
    write_api: APIClient, read_api: APIClient, user: User
) -> None:
    stolen = login(write_api, user)
    rotated = write_api.post(REFRESH, {"refresh": stolen["refresh"]}, format="json").json()
    newest = write_api.post(REFRESH, {"refresh": rotated["refresh"]}, format="json").json()
    other_session = login(write_api, user)
    assert authorize(read_api, newest["access"]).get("/api/v1/users/me").status_code == 200

    reuse = write_api.post(REFRESH, {"refresh": stolen["refresh"]}, format="json")
    assert reuse.json()["error"]["code"] == "token_reused"

    # Every descendant is dead: the newest refresh token and the access tokens, on both APIs.
    refused = write_api.post(REFRESH, {"refresh": newest["refresh"]}, format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "token_revoked")
    for access in (rotated["access"], newest["access"]):
        for client, call in ((read_api, "get"), (write_api, "patch")):
            response = getattr(authorize(client, access), call)("/api/v1/users/me", {}, format="json")
            assert (response.status_code, response.json()["error"]["code"]) == (401, "token_revoked")
    # Another session of the same user is untouched.
    assert authorize(read_api, other_session["access"]).get("/api/v1/users/me").status_code == 200
    write_api.credentials()
    assert write_api.post(REFRESH, {"refresh": other_session["refresh"]}, format="json").status_code == 200


@pytest.mark.django_db(transaction=True)  # the revocation runs after commit
def test_logout_ends_the_sessions_access_tokens_at_once(
    write_api: APIClient, read_api: APIClient, tokens: dict[str, str]
) -> None:
    assert authorize(read_api, tokens["access"]).get("/api/v1/users/me").status_code == 200
    assert write_api.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    response = authorize(read_api, tokens["access"]).get("/api/v1/users/me")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "token_revoked")


@pytest.mark.django_db(transaction=True)  # the revocation runs after commit
def test_suspension_ends_access_tokens_on_the_read_api_at_once(read_api: APIClient, user: User) -> None:
    from rest_framework_simplejwt.tokens import AccessToken

    client = authorize(read_api, str(AccessToken.for_user(user)))
    assert client.get("/api/v1/users/me").status_code == 200
    services.user_suspend(user_id=user.pk)
    assert client.get("/api/v1/timelines/home").status_code == 401


@pytest.mark.django_db
def test_logout_revokes_the_refresh_token(write_api: APIClient, tokens: dict[str, str]) -> None:
    response = write_api.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 204
    assert write_api.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204  # idempotent
    refused = write_api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert refused.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("refresh", ["garbage", "a.b.c", ""])
def test_logout_with_a_bad_token_is_4xx(write_api: APIClient, refresh: str) -> None:
    response = write_api.post(LOGOUT, {"refresh": refresh}, format="json")
    assert response.status_code in {400, 401}
    assert "error" in response.json()


@pytest.mark.django_db
def test_suspension_revokes_refresh_tokens(write_api: APIClient, user: User) -> None:
    tokens = login(write_api, user)
    services.user_suspend(user_id=user.pk)
    assert write_api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Basic abc", "Bearer a.b.c"])
def test_bad_access_tokens_are_401_on_both_apis(write_api: APIClient, read_api: APIClient, header: str) -> None:
    for client, method, path in ((write_api, "patch", "/api/v1/users/me"), (read_api, "get", "/api/v1/users/me")):
        client.credentials(HTTP_AUTHORIZATION=header)
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 401, (path, response.content)
        assert "error" in response.json()


@pytest.mark.django_db
def test_a_refresh_token_is_not_an_access_token(read_api: APIClient, tokens: dict[str, str]) -> None:
    response = authorize(read_api, tokens["refresh"]).get("/api/v1/users/me")
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_read_api_refuses_a_token_once_expired_even_after_caching_it(read_api: APIClient, user: User) -> None:
    import time
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=3))  # `exp` is whole seconds: at least 2 s left
    authorize(read_api, str(token))
    assert read_api.get("/api/v1/users/me").status_code == 200  # verified, then cached
    while time.time() <= token["exp"]:  # until the token has expired, not a guessed delay
        time.sleep(0.05)
    assert read_api.get("/api/v1/users/me").status_code == 401
