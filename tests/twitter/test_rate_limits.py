"""Rate limits on both APIs (twitter/api/admission.py): buckets, headers, 429s that change
nothing, identities that never reach Redis raw."""

import time
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.tweets.models import Tweet
from apps.users.models import User
from tests.conftest import Api, authorize
from tests.factories import PASSWORD, UserFactory
from twitter.api.revocations import Revocations
from twitter.ratelimit import BatchedCounts, Rate
from twitter.redis import get_redis


def limit(settings: Any, **rates: str) -> None:
    """Production scale, with the given buckets set to the given rates."""
    settings.RATE_LIMIT_SCALE = 1.0
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}


def _assert_throttled(response: Any) -> None:
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1
    assert response["X-RateLimit-Remaining"] == "0"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_every_request_of_an_account_counts_and_says_how_much_is_left(
    read_api: APIClient, user: User, settings: Any
) -> None:
    limit(settings, account="3/300")
    client = authorize(read_api, str(AccessToken.for_user(user)))
    responses = [client.get(f"/api/v1/users/{user.pk}") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0"]
    assert {r["X-RateLimit-Limit"] for r in responses} == {"3"}
    resets = {int(r["X-RateLimit-Reset"]) for r in responses}
    _assert_throttled(client.get(f"/api/v1/users/{user.pk}"))
    # The home timeline's hot path is behind the same door.
    _assert_throttled(client.get("/api/v1/timelines/home"))
    assert len(resets) == 1


@pytest.mark.django_db
def test_anonymous_requests_count_per_address(read_api: APIClient, user: User, settings: Any) -> None:
    limit(settings, anonymous="2/300")
    here = [read_api.get(f"/api/v1/users/{user.pk}").status_code for _ in range(3)]
    assert here == [200, 200, 429]
    assert read_api.get(f"/api/v1/users/{user.pk}", REMOTE_ADDR="192.0.2.1").status_code == 200


def test_a_refused_post_saves_nothing(api_for: Any, settings: Any) -> None:
    limit(settings, post="2/10800")
    author = api_for(UserFactory())
    author.tweet("one")
    author.tweet("two")
    refused = author.write.post("/api/v1/tweets", {"text": "three"}, format="json")
    _assert_throttled(refused)
    assert list(Tweet.objects.filter(author_id=author.user.pk).values_list("text", flat=True).order_by("id")) == [
        "one",
        "two",
    ]
    # Posting has its own bucket: reading goes on.
    assert author.read.get("/api/v1/timelines/home").status_code == 200


def test_deletes_and_follows_have_buckets_of_their_own(api_for: Any, settings: Any) -> None:
    limit(settings, delete="1/1800", follow="1/86400")
    author: Api = api_for(UserFactory())
    first, second = author.tweet("a")["id"], author.tweet("b")["id"]
    assert author.write.delete(f"/api/v1/tweets/{first}").status_code == 204
    _assert_throttled(author.write.delete(f"/api/v1/tweets/{second}"))
    assert Tweet.objects.filter(pk=second, deleted_at__isnull=True).exists()
    one, two = UserFactory(), UserFactory()
    author.follow(one)
    _assert_throttled(author.write.post(f"/api/v1/users/{two.pk}/follow"))
    assert author.read.get(f"/api/v1/users/{two.pk}").json()["following"] is False


@pytest.mark.django_db
def test_refresh_has_a_bucket_apart_from_login(write_api: APIClient, tokens: dict[str, str], settings: Any) -> None:
    limit(settings, login="1/300")
    _assert_throttled(write_api.post("/api/v1/auth/token", {"username": "x", "password": "y"}, format="json"))
    refreshed = write_api.post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200, refreshed.content


@pytest.mark.django_db
def test_admin_sign_in_is_throttled(client: Any, settings: Any) -> None:
    staff = UserFactory(username="boss", is_staff=True, is_superuser=True)
    limit(settings, admin_login_account="3/900")
    form = {"username": staff.username, "password": "wrong", "next": "/admin/"}
    codes = [client.post("/admin/login/", form).status_code for _ in range(3)]
    assert codes == [200, 200, 200]  # the form again, with its error
    right = client.post("/admin/login/", {**form, "password": PASSWORD})
    _assert_throttled(right)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_no_raw_client_input_reaches_a_redis_key(write_api: APIClient, settings: Any) -> None:
    limit(settings)
    response = write_api.generic(
        "POST",
        "/api/v1/auth/token",
        '{"username": "mallory_the_great", "password": "p"}',
        content_type="application/json",
    )
    assert response.status_code == 401
    surrogate = write_api.generic(
        "POST", "/api/v1/auth/token", '{"username": "mallory\\udc80", "password": "p"}', content_type="application/json"
    )
    assert (surrogate.status_code, surrogate.json()["error"]["code"]) == (400, "parse_error")
    write_api.post("/admin/login/", {"username": "Mallory\u0000" + "x" * 300, "password": "p"})
    names = [key.decode(errors="replace") for key in get_redis().scan_iter("rl:*")]
    assert names  # the buckets were counted
    assert not [name for name in names if "mallory" in name.lower() or "192.0" in name or "127.0" in name]


@pytest.mark.django_db
def test_limits_can_be_switched_off_for_development(read_api: APIClient, user: User, settings: Any) -> None:
    limit(settings, anonymous="1/300")
    settings.RATE_LIMITS_ENABLED = False
    responses = [read_api.get(f"/api/v1/users/{user.pk}") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "X-RateLimit-Limit" not in responses[0]


def test_general_counts_from_other_processes_arrive_with_the_flush(db: None) -> None:
    """Two processes' batched counters (two instances on one Redis): each judges by every
    process's hits as of its last flush, plus its own since."""
    first, second = BatchedCounts(flush_seconds=3600), BatchedCounts(flush_seconds=3600)
    rate = Rate(limit=5, period=300)
    now = time.time()
    assert [first.hit("account", rate, "u1", now).used for _ in range(3)] == [1, 2, 3]
    assert second.hit("account", rate, "u1", now).used == 1  # the first's hits are not flushed yet
    first.flush()
    second.flush()
    assert second.hit("account", rate, "u1", now).used == 5  # 3 + 1 flushed, and this one
    assert second.hit("account", rate, "u1", now).exceeded
    assert first.hit("account", rate, "u1", now).used == 4  # its flush saw 3; this is its 4th


def test_a_revocation_reaches_other_processes_within_the_poll(settings: Any, db: None) -> None:
    settings.REVOCATION_POLL_SECONDS = 0.05
    here, elsewhere = Revocations(), Revocations()
    assert not elsewhere.session_ended("s1")  # loaded (empty), polling from now on
    here.revoke_session(user_id=1, session_id="s1")
    here.revoke_user(user_id=2)
    assert here.session_ended("s1")  # at once where it happened
    deadline = time.monotonic() + 5
    while not (elsewhere.session_ended("s1") and elsewhere.revoked_before(2)):
        assert time.monotonic() < deadline, "the other process never learnt of the revocation"
        time.sleep(0.02)
    assert not elsewhere.session_ended("s2")
