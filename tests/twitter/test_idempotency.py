"""Idempotency-Key: a retried write gets the first answer, never a second write."""

import threading
import uuid
from typing import Any

import pytest
from django.db import connections
from rest_framework.test import APIClient

from apps.follows.models import Follow
from apps.tweets.models import Tweet
from apps.users.models import User
from tests.factories import UserFactory
from tests.factories.users import PASSWORD
from twitter.models import IdempotentRequest, OutboxEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _post(api: Any, path: str, body: dict[str, Any], key: str) -> Any:
    return api.write.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_tweet_gets_the_first_answer_and_makes_no_second_tweet(api_for: Any) -> None:
    author = api_for(UserFactory())
    key = str(uuid.uuid4())
    first = _post(author, "/api/v1/tweets", {"text": "only once"}, key)
    again = _post(author, "/api/v1/tweets", {"text": "only once"}, key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Tweet.objects.filter(author=author.user).count() == 1
    assert OutboxEvent.objects.filter(event_type="tweet.created").count() == 1
    author.user.refresh_from_db()
    assert author.user.tweets_count == 1
    # A new key is a new tweet.
    assert _post(author, "/api/v1/tweets", {"text": "only once"}, str(uuid.uuid4())).status_code == 201
    assert Tweet.objects.filter(author=author.user).count() == 2


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(api_for: Any) -> None:
    author = api_for(UserFactory())
    key = str(uuid.uuid4())
    assert _post(author, "/api/v1/tweets", {"text": "first"}, key).status_code == 201
    other = _post(author, "/api/v1/tweets", {"text": "second"}, key)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert list(Tweet.objects.values_list("text", flat=True)) == ["first"]


def test_keys_belong_to_their_user(api_for: Any) -> None:
    one, two = api_for(UserFactory()), api_for(UserFactory())
    key = "shared-key"
    first, second = (_post(api, "/api/v1/tweets", {"text": "same words"}, key) for api in (one, two))
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second


def test_a_refused_request_keeps_nothing_and_its_key_can_be_used_again(api_for: Any) -> None:
    author = api_for(UserFactory())
    key = str(uuid.uuid4())
    refused = _post(author, "/api/v1/tweets", {"text": ""}, key)
    assert refused.status_code == 400
    assert not IdempotentRequest.objects.exists()
    retried = _post(author, "/api/v1/tweets", {"text": "fixed"}, key)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried


@pytest.mark.parametrize("key", ["", "with space", "é", "x" * 256])
def test_a_malformed_key_is_a_clear_400_and_writes_nothing(api_for: Any, key: str) -> None:
    author = api_for(UserFactory())
    response = _post(author, "/api/v1/tweets", {"text": "hello"}, key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not Tweet.objects.exists()


def test_other_creating_endpoints_are_covered_too(api_for: Any) -> None:
    fan, star = api_for(UserFactory()), api_for(UserFactory())
    tweet = star.tweet("like me")["id"]
    for path in (f"/api/v1/users/{star.user.pk}/follow", f"/api/v1/tweets/{tweet}/retweet"):
        key = str(uuid.uuid4())
        first, again = (_post(fan, path, {}, key) for _ in range(2))
        assert first.status_code in (200, 201), first.content
        assert again.status_code == first.status_code
        assert again["Idempotent-Replayed"] == "true"
    assert Follow.objects.filter(follower=fan.user).count() == 1
    assert Tweet.objects.filter(author=fan.user, retweet_of_id=tweet).count() == 1

    anonymous = APIClient()
    account = {"username": "retrying", "email": "retrying@example.com", "password": "Retry-pass-2026"}
    key = str(uuid.uuid4())
    first, again = (
        anonymous.post("/api/v1/auth/register", account, format="json", HTTP_IDEMPOTENCY_KEY=key) for _ in range(2)
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert User.objects.filter(username="retrying").count() == 1


def test_sign_in_answers_are_never_stored(user: User) -> None:
    client = APIClient()
    body = {"username": user.username, "password": PASSWORD}
    for _ in range(2):
        response = client.post("/api/v1/auth/token", body, format="json", HTTP_IDEMPOTENCY_KEY="sign-in")
        assert response.status_code == 200
        assert "Idempotent-Replayed" not in response
    assert not IdempotentRequest.objects.exists()


def test_a_retry_racing_the_first_request_waits_for_it_and_gets_its_answer(api_for: Any) -> None:
    author = api_for(UserFactory())
    key = str(uuid.uuid4())
    answers: list[Any] = []
    start = threading.Barrier(4)

    def send() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {author.access}")
        start.wait()
        try:
            answers.append(client.post("/api/v1/tweets", {"text": "raced"}, format="json", HTTP_IDEMPOTENCY_KEY=key))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [201] * 4
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sum(answer.has_header("Idempotent-Replayed") for answer in answers) == 3
    assert Tweet.objects.filter(author=author.user).count() == 1


def test_admin_lists_kept_answers_without_their_bodies(api_for: Any) -> None:
    from django.test import Client

    author = api_for(UserFactory())
    _post(author, "/api/v1/tweets", {"text": "a secret-ish body"}, "admin-listed")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/twitter/idempotentrequest/")
    assert listing.status_code == 200
    assert b"admin-listed" in listing.content
    held = IdempotentRequest.objects.get()
    page = client.get(f"/admin/twitter/idempotentrequest/{held.pk}/change/")
    assert page.status_code == 200
    assert b"a secret-ish body" not in page.content
    assert client.get("/admin/timelines/celebrity/").status_code == 200
