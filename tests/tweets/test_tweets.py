import unicodedata
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.tweets.models import Tweet
from apps.tweets.serializers import TweetOutputSerializer
from apps.users.models import User
from tests.conftest import Api, Events
from tests.factories import UserFactory


@pytest.fixture
def alice(api_for: Any) -> Api:
    return api_for(UserFactory(username="alice"))


def test_create_returns_the_contract_shape(alice: Api, outbox: Events) -> None:
    body = alice.tweet("  hello world  ")
    assert set(body) == set(TweetOutputSerializer().fields)
    assert body["text"] == "hello world"
    assert isinstance(body["id"], str)
    assert body["author"] == {
        "id": str(alice.user.pk),
        "username": "alice",
        "display_name": alice.user.display_name,
        "avatar_url": "",
    }
    assert body["created_at"].endswith("Z")
    assert (body["reply_to_id"], body["retweet_of"], body["liked"], body["retweeted"]) == (None, None, False, False)
    assert (body["like_count"], body["retweet_count"], body["reply_count"]) == (0, 0, 0)
    alice.user.refresh_from_db()
    assert alice.user.tweets_count == 1
    assert outbox.published("tweet.created") == [
        {
            "tweet_id": int(body["id"]),
            "author_id": alice.user.pk,
            "reply_to_id": None,
            "reply_to_user_id": None,
            "retweet_of_id": None,
            "retweet_of_author_id": None,
            "mention_ids": [],
            "hashtags": [],
        }
    ]


def test_length_is_counted_in_code_points_after_nfc(alice: Api, outbox: Events) -> None:
    decomposed = unicodedata.normalize("NFD", "é") * 280  # 560 code points before NFC
    assert alice.tweet(decomposed)["text"] == "é" * 280
    assert alice.tweet("🐦" * 280)["text"] == "🐦" * 280
    assert alice.tweet("line one\nline two")["text"] == "line one\nline two"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "x" * 281}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   \n  "}, "text"),
        ({"text": "bell\x07"}, "text"),
        ({"text": "nul\x00"}, "text"),
        ({"text": 42}, "text"),
        ({"text": None}, "text"),
        ({}, "text"),
        ({"text": "ok", "reply_to_id": "abc"}, "reply_to_id"),
        ({"text": "ok", "reply_to_id": "99999999999999999999"}, "reply_to_id"),
        ({"text": "ok", "reply_to_id": "123"}, "reply_to_id"),
        ({"text": "ok", "media_ids": ["1"]}, "media_ids"),
        ({"text": "ok", "media_ids": "1"}, "media_ids"),
        ({"text": "ok", "media_ids": ["1", "2", "3", "4", "5"]}, "media_ids"),
        ({"text": "ok", "extra": 1}, "extra"),
    ],
)
def test_bad_tweets_are_400_and_store_nothing(alice: Api, body: dict[str, Any], field: str) -> None:
    response = alice.write.post("/api/v1/tweets", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Tweet.objects.exists()
    alice.user.refresh_from_db()
    assert alice.user.tweets_count == 0


def test_posting_needs_a_token(write_api: APIClient, db: None) -> None:
    response = write_api.post("/api/v1/tweets", {"text": "hi"}, format="json")
    assert response.status_code == 401


def test_replies_count_and_list(alice: Api, api_for: Any, outbox: Events) -> None:
    bob = api_for(UserFactory(username="bob"))
    root = alice.tweet("root")
    replies = [bob.tweet(f"reply {i}", reply_to_id=root["id"]) for i in range(3)]
    assert replies[0]["reply_to_id"] == root["id"]
    assert Tweet.objects.get(pk=root["id"]).reply_count == 3
    listing = alice.read.get(f"/api/v1/tweets/{root['id']}/replies", {"limit": 2})
    assert [t["id"] for t in listing.json()] == [replies[2]["id"], replies[1]["id"]]
    assert 'rel="next"' in listing["Link"]
    detail = alice.read.get(f"/api/v1/tweets/{root['id']}").json()
    assert detail["reply_count"] == 3


def test_replying_to_a_deleted_tweet_is_refused(alice: Api, outbox: Events) -> None:
    root = alice.tweet("soon gone")
    assert alice.write.delete(f"/api/v1/tweets/{root['id']}").status_code == 204
    response = alice.write.post("/api/v1/tweets", {"text": "late", "reply_to_id": root["id"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reply_target_unavailable"


def test_delete_own_tweet(alice: Api, outbox: Events) -> None:
    tweet = alice.tweet("to delete")
    assert alice.read.get(f"/api/v1/tweets/{tweet['id']}").status_code == 200
    assert alice.write.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 204
    assert alice.read.get(f"/api/v1/tweets/{tweet['id']}").status_code == 404
    assert alice.write.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 404
    alice.user.refresh_from_db()
    assert alice.user.tweets_count == 0
    assert outbox.published("tweet.deleted")[0]["tweet_id"] == int(tweet["id"])


def test_someone_elses_tweet_cannot_be_deleted_but_staff_can(alice: Api, api_for: Any, outbox: Events) -> None:
    tweet = alice.tweet("mine")
    mallory = api_for(UserFactory())
    response = mallory.write.delete(f"/api/v1/tweets/{tweet['id']}")
    assert response.status_code == 403
    assert Tweet.objects.get(pk=tweet["id"]).deleted_at is None
    staff = api_for(UserFactory(is_staff=True))
    assert staff.write.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 204


@pytest.mark.parametrize("path", ["/api/v1/tweets/123", "/api/v1/tweets/0", "/api/v1/tweets/99999999999999999999"])
def test_unknown_tweets_are_404(alice: Api, path: str) -> None:
    assert alice.read.get(path).status_code == 404
    assert alice.write.delete(path).status_code == 404
    assert alice.read.get(f"{path}/replies").status_code == 404


def test_viewer_flags_only_for_a_signed_in_viewer(alice: Api, read_api: APIClient, outbox: Events) -> None:
    tweet = alice.tweet("flags")
    anonymous = read_api.get(f"/api/v1/tweets/{tweet['id']}").json()
    assert "liked" not in anonymous
    assert "retweeted" not in anonymous
    assert alice.read.get(f"/api/v1/tweets/{tweet['id']}").json()["liked"] is False


def test_a_suspended_authors_tweets_are_hidden(alice: Api, read_api: APIClient, outbox: Events) -> None:
    from apps.users import services

    tweet = alice.tweet("before suspension")
    services.user_suspend(user_id=alice.user.pk)
    assert read_api.get(f"/api/v1/tweets/{tweet['id']}").status_code == 404
    services.user_unsuspend(user_id=alice.user.pk)
    assert read_api.get(f"/api/v1/tweets/{tweet['id']}").status_code == 200


def test_suspended_users_cannot_tweet(alice: Api) -> None:
    User.objects.filter(pk=alice.user.pk).update(is_active=False)
    response = alice.write.post("/api/v1/tweets", {"text": "hi"}, format="json")
    assert response.status_code == 401


def test_an_inactive_account_cannot_like_or_retweet_and_nothing_changes(alice: Api, api_for: Any) -> None:
    bob = api_for(UserFactory())
    tweet = bob.tweet("like me")
    User.objects.filter(pk=alice.user.pk).update(is_active=False)
    for method, path in (("post", "like"), ("post", "retweet")):
        response = getattr(alice.write, method)(f"/api/v1/tweets/{tweet['id']}/{path}")
        assert response.status_code == 401, (path, response.content)
        assert response.json()["error"]["code"] == "user_inactive"
    assert Tweet.objects.get(pk=tweet["id"]).like_count == 0
    assert Tweet.objects.get(pk=tweet["id"]).retweet_count == 0
    assert not Tweet.objects.filter(author_id=alice.user.pk).exists()


def test_posting_a_tweet_takes_one_transaction_of_three_statements_and_reads_nothing_back(
    alice: Api, outbox: Events
) -> None:
    """The lean write path: insert the tweet, count it (which also checks the author may
    post and returns their card), insert the outbox row. No user lookup for the token,
    no re-read to render the response or the cache."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        body = alice.tweet("lean")
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert statements == ["BEGIN", "INSERT", "UPDATE", "INSERT", "COMMIT"], queries.captured_queries
    assert body["author"]["username"] == "alice"
    assert alice.home_ids()[0] == body["id"]  # the author sees it at once, from the cache


PLAIN_BODIES = [
    {"text": "hello"},
    {"text": "  spaced  "},
    {"text": ""},
    {"text": "ünïcödé 🐦 ✓"},
    {"text": "x" * 4000},
    {"text": "hi", "reply_to_id": None},
    {"text": "hi", "reply_to_id": "123"},
    {"text": "hi", "reply_to_id": 123},
    {"text": "line\nbreak\ttab"},
]
OTHER_BODIES = [
    {},
    {"text": None},
    {"text": 5},
    {"text": True},
    {"text": ["a"]},
    {"text": "x" * 4001},
    {"text": "nul\x00"},
    {"text": "lone \ud800 surrogate"},
    {"text": "hi", "reply_to_id": "abc"},
    {"text": "hi", "reply_to_id": 0},
    {"text": "hi", "reply_to_id": True},
    {"text": "hi", "reply_to_id": "99999999999999999999"},
    {"text": "hi", "media_ids": ["1"]},
]


@pytest.mark.parametrize("body", PLAIN_BODIES)
def test_the_lean_input_check_gives_what_the_serializer_gives(body: dict[str, Any]) -> None:
    from apps.tweets.api.views_write import TweetCreateApi, plain_tweet_input

    serializer = TweetCreateApi.InputSerializer(data=body)
    assert serializer.is_valid(), serializer.errors
    assert plain_tweet_input(body) == dict(serializer.validated_data)


@pytest.mark.parametrize("body", OTHER_BODIES)
def test_the_lean_input_check_leaves_everything_else_to_the_serializer(body: dict[str, Any]) -> None:
    from apps.tweets.api.views_write import plain_tweet_input

    assert plain_tweet_input(body) is None
