from typing import Any

import pytest
from django.test import Client

from apps.tweets.models import Tweet
from tests.conftest import Api, Events
from tests.factories import UserFactory


@pytest.fixture
def staff(outbox: Events) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_deletes_with_propagation(staff: Client, api_for: Any, outbox: Events) -> None:
    author: Api = api_for(UserFactory())
    tweet = author.tweet("reported")
    page = staff.get("/admin/tweets/tweet/")
    assert page.status_code == 200
    assert b"reported" in page.content
    staff.post("/admin/tweets/tweet/", {"action": "delete_with_propagation", "_selected_action": [tweet["id"]]})
    assert Tweet.objects.get(pk=tweet["id"]).deleted_at is not None
    author.user.refresh_from_db()
    assert author.user.tweets_count == 0
    assert author.read.get(f"/api/v1/tweets/{tweet['id']}").status_code == 404  # hidden at once
    assert outbox.published("tweet.deleted")[0]["tweet_id"] == int(tweet["id"])


def test_admin_lists_follows(staff: Client, api_for: Any) -> None:
    fan, star = api_for(UserFactory()), UserFactory(username="admired")
    fan.follow(star)
    page = staff.get("/admin/follows/follow/")
    assert page.status_code == 200
    assert b"admired" in page.content
