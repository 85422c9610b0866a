"""Streams are held to their token: they end when it expires, when its session is logged
out and when the account is suspended; an account holds a bounded number of them."""

import time
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

from apps.users import services
from tests.factories import PASSWORD, UserFactory
from tests.integration.conftest import eventually
from tests.integration.test_engagement import EventStream

pytestmark = [pytest.mark.integration, pytest.mark.replica]


def _ended_with(stream: EventStream, code: str, within: float) -> None:
    started = time.monotonic()
    event = stream.next(timeout=within)
    assert event["event"] == "end", event
    assert f'"code":"{code}"' in event["data"]
    assert time.monotonic() - started < within
    stream.close()


def test_a_stream_ends_when_its_token_expires(stack: dict[str, Any]) -> None:
    user = UserFactory()
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=3))
    stream = EventStream(f"{stack['gateway']}/api/v1/streaming/home", {"Authorization": f"Bearer {token}"})
    _ended_with(stream, "token_expired", within=10)


def test_a_stream_ends_at_logout_and_at_suspension(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    user = UserFactory()
    tokens = requests.post(
        f"{base}/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}, timeout=10
    )
    pair = tokens.json()
    auth = {"Authorization": f"Bearer {pair['access']}"}
    stream = EventStream(f"{base}/api/v1/streaming/notifications", auth)
    assert requests.post(f"{base}/api/v1/auth/logout", json={"refresh": pair["refresh"]}, timeout=10).status_code == 204
    _ended_with(stream, "token_revoked", within=5)
    refused = requests.get(f"{base}/api/v1/streaming/home", headers=auth, timeout=10)
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "token_revoked")
    # The read-API, another process, refuses the token too once it has polled (a second).
    eventually(
        lambda: requests.get(f"{base}/api/v1/users/me", headers=auth, timeout=10).status_code == 401,
        timeout=10,
        what="the read-API refusing a logged-out token",
    )

    other = UserFactory()
    suspended = EventStream(f"{base}/api/v1/streaming/home", {"Authorization": f"Bearer {AccessToken.for_user(other)}"})
    services.user_suspend(user_id=other.pk)
    _ended_with(suspended, "token_revoked", within=5)


def test_an_account_holds_a_bounded_number_of_streams(stack: dict[str, Any]) -> None:
    user = UserFactory()
    auth = {"Authorization": f"Bearer {AccessToken.for_user(user)}"}
    url = f"{stack['gateway']}/api/v1/streaming/home"
    streams = [EventStream(url, auth) for _ in range(settings.STREAMS_PER_ACCOUNT)]
    try:
        refused = requests.get(url, headers=auth, timeout=10)
        assert (refused.status_code, refused.json()["error"]["code"]) == (429, "too_many_streams")
        streams.pop().close()
        # The closed stream's slot is free again (the server notices the disconnect).
        deadline = time.monotonic() + 10
        while (again := requests.get(url, headers=auth, timeout=10, stream=True)).status_code == 429:
            again.close()
            assert time.monotonic() < deadline, "a closed stream's slot was never freed"
            time.sleep(0.1)
        assert again.status_code == 200
        again.close()
    finally:
        for stream in streams:
            stream.close()


@pytest.mark.parametrize("token", ["nonsense", "e30.e30.e30", ""])
def test_a_stream_without_a_good_token_is_a_json_401(stack: dict[str, Any], token: str) -> None:
    response = requests.get(
        f"{stack['gateway']}/api/v1/streaming/home", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.headers["X-Request-ID"]
