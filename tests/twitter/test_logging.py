"""Log lines: one JSON object per line with the request's id, route pattern, status,
duration and user; task lines with the task, attempt, event and the request that caused
it; and never a password, a token or an Authorization header."""

import io
import json
import logging
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.tweets.models import Tweet
from tests.conftest import ReadApiClient, authorize, login
from tests.factories import PASSWORD, UserFactory
from twitter import logging as logs
from twitter.models import OutboxEvent


def _requests(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in found if line.get("logger") == "twitter.requests"]


def _capture() -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(fmt="json"))
    logging.getLogger().addHandler(handler)
    return stream, handler


def _parsed(stream: io.StringIO, handler: logging.Handler) -> list[dict[str, Any]]:
    logging.getLogger().removeHandler(handler)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_a_request_is_one_json_line_with_its_route_status_duration_and_user() -> None:
    user = UserFactory()
    client = APIClient()
    authorize(client, login(client, user)["access"])
    stream, handler = _capture()
    response = client.post("/api/v1/tweets", {"text": "logged"}, format="json", HTTP_X_REQUEST_ID="req-42")
    read = ReadApiClient()
    authorize(read, login(APIClient(), user)["access"])
    read.get(f"/api/v1/users/{user.pk}/tweets", HTTP_X_REQUEST_ID="req-43")
    home = read.get("/api/v1/timelines/home", HTTP_X_REQUEST_ID="req-44")  # answered before URL resolving
    found = _requests(_parsed(stream, handler))
    assert response.status_code == 201
    [write] = [line for line in found if line["request_id"] == "req-42"]
    [reading] = [line for line in found if line["request_id"] == "req-43"]
    assert {key: write[key] for key in ("method", "route", "status", "user_id", "request_id", "role")} == {
        "method": "POST",
        "route": "/api/v1/tweets",
        "status": 201,
        "user_id": user.pk,
        "request_id": "req-42",
        "role": "write-api",
    }
    assert isinstance(write["duration_ms"], float)
    assert set(write) >= {"time", "level", "logger", "message"}
    # The route pattern, never the raw path (it holds ids).
    assert (reading["route"], reading["user_id"], reading["request_id"]) == (
        "/api/v1/users/<id:user_id>/tweets",
        user.pk,
        "req-43",
    )
    [hot] = [line for line in found if line["request_id"] == "req-44"]
    assert (home.status_code, hot["route"], hot["user_id"], hot["status"]) == (
        200,
        "/api/v1/timelines/home",
        user.pk,
        200,
    )
    # The event the write published carries the request for the tasks it causes.
    tweet_id = int(response.json()["id"])
    assert Tweet.objects.filter(pk=tweet_id).exists()
    assert (
        OutboxEvent.objects.filter(event_type="tweet.created", payload__tweet_id=tweet_id).get().request_id == "req-42"
    )


@pytest.mark.django_db
def test_passwords_tokens_and_authorization_headers_never_reach_a_line() -> None:
    user = UserFactory()
    stream, handler = _capture()
    client = APIClient()
    tokens = login(client, user)
    authorize(client, tokens["access"])
    client.post("/api/v1/tweets", {"text": ""}, format="json")  # a 400: Django logs the request
    client.post("/api/v1/auth/token", {"username": user.username, "password": "wrong-" + PASSWORD}, format="json")
    client.post("/api/v1/auth/token/refresh", {"refresh": "not-a-token"}, format="json")
    logger = logging.getLogger("tests.logging")
    logger.warning("calling out with Authorization: Bearer %s", tokens["access"])
    logger.warning("a form", extra={"password": PASSWORD, "refresh_token": tokens["refresh"], "note": tokens["access"]})
    logger.warning("posted {'username': 'x', 'password': '%s'}", PASSWORD)
    output = stream.getvalue()
    found = _parsed(stream, handler)
    assert len(found) >= 6
    for secret in (PASSWORD, tokens["access"], tokens["refresh"], tokens["access"].split(".")[2]):
        assert secret not in output
    assert "[redacted]" in output
