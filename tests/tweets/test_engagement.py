"""Likes, retweets, mentions, hashtags and conversations, through both APIs."""

import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.tweets import engagement, services
from apps.tweets import selectors as tweet_selectors
from apps.tweets.models import Like, Tweet
from tests.conftest import Api, Events
from tests.factories import UserFactory


@pytest.fixture
def trio(api_for: Any) -> tuple[Api, Api, Api]:
    """reader follows author and booster."""
    reader, author, booster = (api_for(UserFactory(username=name)) for name in ("reader", "author", "booster"))
    reader.follow(author.user)
    reader.follow(booster.user)
    return reader, author, booster


def like(api: Api, tweet_id: str, *, method: str = "post", status: int = 200) -> dict[str, Any]:
    response = getattr(api.write, method)(f"/api/v1/tweets/{tweet_id}/like")
    assert response.status_code == status, response.content
    return dict(response.json())


def retweet(api: Api, tweet_id: str, *, method: str = "post", status: int = 201) -> dict[str, Any]:
    response = getattr(api.write, method)(f"/api/v1/tweets/{tweet_id}/retweet")
    assert response.status_code == status, response.content
    return dict(response.json())


def tweet_json(api: Api, tweet_id: str) -> dict[str, Any]:
    response = api.read.get(f"/api/v1/tweets/{tweet_id}")
    assert response.status_code == 200, response.content
    return dict(response.json())


# --- Likes ----------------------------------------------------------------------------


def test_like_is_idempotent_and_counted(trio: tuple[Api, Api, Api], outbox: Events) -> None:
    reader, author, _ = trio
    tweet = author.tweet("like me")
    assert like(reader, tweet["id"]) == {"liked": True, "like_count": 1}
    assert like(reader, tweet["id"]) == {"liked": True, "like_count": 1}
    assert outbox.published("like.created") == [
        {
            "like_id": Like.objects.get().pk,
            "user_id": reader.user.pk,
            "tweet_id": int(tweet["id"]),
            "tweet_author_id": author.user.pk,
        }
    ]
    seen = tweet_json(reader, tweet["id"])
    assert (seen["like_count"], seen["liked"], seen["retweeted"]) == (1, True, False)
    assert tweet_json(author, tweet["id"])["liked"] is False
    reader.user.refresh_from_db()
    assert reader.user.likes_count == 1

    assert like(reader, tweet["id"], method="delete") == {"liked": False, "like_count": 0}
    assert like(reader, tweet["id"], method="delete") == {"liked": False, "like_count": 0}
    assert len(outbox.published("like.deleted")) == 1
    seen = tweet_json(reader, tweet["id"])
    assert (seen["like_count"], seen["liked"]) == (0, False)


def test_liking_a_missing_or_deleted_tweet_is_a_404(trio: tuple[Api, Api, Api], outbox: Events) -> None:
    reader, author, _ = trio
    tweet = author.tweet("soon gone")
    assert author.write.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 204
    body = like(reader, tweet["id"], status=404)
    assert body["error"]["code"] == "tweet_not_found"
    assert like(reader, "123456789", status=404)["error"]["code"] == "tweet_not_found"
    assert reader.write.post("/api/v1/tweets/not-an-id/like").status_code == 404
    assert Like.objects.count() == 0


def test_warm_home_reads_with_flags_issue_no_sql(trio: tuple[Api, Api, Api], outbox: Events) -> None:
    reader, author, _ = trio
    liked = author.tweet("liked one")
    boosted = author.tweet("retweeted one")
    author.tweet("plain one")
    like(reader, liked["id"])
    retweet(reader, boosted["id"])
    outbox.deliver()
    reader.home()  # loads the viewer's likes and retweets, and the caches
    with CaptureQueriesContext(connections["default"]) as queries:
        home = reader.home()
    assert len(queries) == 0, [q["sql"] for q in queries]
    flags = {item["text"]: (item["liked"], item["retweeted"]) for item in home if item["retweet_of"] is None}
    assert flags["liked one"] == (True, False)
    assert flags["plain one"] == (False, False)
    mine = next(item for item in home if item["retweet_of"] is not None)
    assert mine["retweet_of"]["id"] == boosted["id"]
    assert (mine["retweeted"], mine["retweet_of"]["retweeted"]) == (True, True)


def test_fifty_parallel_likes_and_unlikes_end_with_an_exact_count(outbox: Events, settings: Any) -> None:
    tweet = Tweet.objects.create(author=UserFactory(), text="popular")
    users = [UserFactory() for _ in range(50)]
    for user in users[::2]:  # half of them liked it already
        services.like_create(user_id=user.pk, tweet_id=tweet.pk)
    # As many threads as the pool has connections (more would wait for one, and a wait
    # past DB_POOL_TIMEOUT is a 503 by design), all writing the same row at once.
    width = min(len(users), int(settings.DB_POOL_MAX_SIZE))
    barrier = threading.Barrier(width)
    errors: list[BaseException] = []

    def toggle(index: int) -> None:
        user = users[index]
        if index % 2 == 0:
            services.like_delete(user_id=user.pk, tweet_id=tweet.pk)
            services.like_create(user_id=user.pk, tweet_id=tweet.pk)
            services.like_delete(user_id=user.pk, tweet_id=tweet.pk)
        else:
            services.like_create(user_id=user.pk, tweet_id=tweet.pk)

    def worker(start: int) -> None:
        try:
            barrier.wait()
            for index in range(start, len(users), width):
                toggle(index)
        except Exception as exc:  # noqa: BLE001 - reported below: a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(start,)) for start in range(width)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    tweet.refresh_from_db()
    assert Like.objects.filter(tweet=tweet).count() == 25
    assert tweet.like_count == 25


# --- Retweets -------------------------------------------------------------------------


def test_a_retweet_fans_out_and_shows_once_per_original(trio: tuple[Api, Api, Api], outbox: Events) -> None:
    reader, author, booster = trio
    original = author.tweet("worth sharing")
    other = author.tweet("another")
    outbox.deliver()
    made = retweet(booster, original["id"])
    assert (made["retweeted"], made["retweet_count"]) == (True, 1)
    assert retweet(booster, original["id"], status=200)["retweet_id"] == made["retweet_id"]
    outbox.deliver()

    def shown() -> list[tuple[str, str | None]]:
        return [(item["id"], (item["retweet_of"] or {}).get("id")) for item in reader.home()]

    # The retweet is the newest entry; the original it points at is not shown again.
    assert shown() == [(made["retweet_id"], original["id"]), (other["id"], None)]
    second = retweet(reader, original["id"])  # the reader's own retweet of it: still once
    outbox.deliver()
    assert shown() == [(second["retweet_id"], original["id"]), (other["id"], None)]
    # Walking the timeline page by page shows each original once too.
    assert reader.every_home_id(limit=1) == [second["retweet_id"], other["id"]]


def test_a_retweet_carries_its_original_and_its_counts(api_for: Any, outbox: Events) -> None:
    author, booster, fan, third = (api_for(UserFactory(username=n)) for n in ("author", "booster", "fan", "third"))
    fan.follow(booster.user)
    original = author.tweet("nested #inside")
    made = retweet(booster, original["id"])
    # Retweeting a retweet retweets the original.
    again = retweet(third, made["retweet_id"])
    assert again["retweet_count"] == 2
    assert Tweet.objects.get(pk=again["retweet_id"]).retweet_of_id == int(original["id"])
    outbox.deliver()
    entry = fan.home()[0]
    assert entry["id"] == made["retweet_id"]
    assert entry["author"]["username"] == "booster"
    assert entry["text"] == ""
    assert entry["retweet_of"]["id"] == original["id"]
    assert entry["retweet_of"]["author"]["username"] == "author"
    assert entry["retweet_of"]["retweet_count"] == 2
    assert entry["retweet_of"]["hashtags"] == [{"tag": "inside", "start": 7, "end": 14}]
    assert (entry["retweeted"], entry["retweet_of"]["retweeted"]) == (False, False)
    assert tweet_json(third, made["retweet_id"])["retweeted"] is True
    booster_profile = booster.read.get(f"/api/v1/users/{booster.user.pk}/tweets").json()
    assert [item["id"] for item in booster_profile] == [made["retweet_id"]]


@pytest.fixture
def shared(api_for: Any, outbox: Events) -> dict[str, Any]:
    """fan follows booster; booster retweeted author's tweet, and fan's home shows it."""
    author, booster, fan = (api_for(UserFactory(username=n)) for n in ("author", "booster", "fan"))
    fan.follow(booster.user)
    original = author.tweet("shared")
    made = retweet(booster, original["id"])
    outbox.deliver()
    assert fan.home_ids() == [made["retweet_id"]]
    return {"author": author, "booster": booster, "fan": fan, "original": original, "made": made}


def test_undoing_a_retweet_removes_it_from_timelines(shared: dict[str, Any], outbox: Events) -> None:
    booster, fan, original, made = shared["booster"], shared["fan"], shared["original"], shared["made"]
    undone = retweet(booster, original["id"], method="delete", status=200)
    assert undone == {"retweeted": False, "retweet_count": 0, "retweet_id": None}
    assert fan.home_ids() == []  # hidden at once
    outbox.deliver()
    assert fan.home_ids() == []
    assert Tweet.objects.get(pk=made["retweet_id"]).is_deleted
    assert retweet(booster, original["id"], method="delete", status=200)["retweeted"] is False


def test_deleting_the_original_removes_its_retweets_everywhere(shared: dict[str, Any], outbox: Events) -> None:
    author, booster, fan = shared["author"], shared["booster"], shared["fan"]
    original, made = shared["original"], shared["made"]
    assert author.write.delete(f"/api/v1/tweets/{original['id']}").status_code == 204
    assert fan.home_ids() == []
    assert booster.read.get(f"/api/v1/tweets/{made['retweet_id']}").status_code == 404
    outbox.deliver()
    assert Tweet.objects.get(pk=made["retweet_id"]).is_deleted
    booster.user.refresh_from_db()
    assert booster.user.tweets_count == 0
    assert fan.every_home_id(limit=5) == []


# --- Mentions, hashtags ---------------------------------------------------------------


def test_mentions_and_hashtags_are_entities_with_offsets(api_for: Any, outbox: Events) -> None:
    alice = api_for(UserFactory(username="alice"))
    UserFactory(username="Bob_1")
    body = alice.tweet("héllo @bob_1 and @nobody_here: #Django #café #123 mail@bob_1.com #日本語 a#b")
    assert body["mentions"] == [{"id": body["mentions"][0]["id"], "username": "Bob_1", "start": 6, "end": 12}]
    assert [(h["tag"], h["start"], h["end"]) for h in body["hashtags"]] == [
        ("Django", 31, 38),
        ("café", 39, 44),
        ("日本語", 65, 69),
    ]
    text = body["text"]
    for entity in body["hashtags"]:
        assert text[entity["start"] : entity["end"]] == "#" + entity["tag"]
    assert text[6:12] == "@bob_1"


def test_hashtag_timeline_and_trending(api_for: Any, outbox: Events) -> None:
    alice, bob = api_for(UserFactory(username="alice")), api_for(UserFactory(username="bob"))
    first = alice.tweet("#Python is fun")
    second = bob.tweet("more #python and #django")
    gone = bob.tweet("#python soon deleted")
    bob.write.delete(f"/api/v1/tweets/{gone['id']}")
    outbox.deliver()
    page = alice.read.get("/api/v1/hashtags/PYTHON/tweets").json()
    assert [item["id"] for item in page] == [second["id"], first["id"]]
    assert [i["id"] for i in alice.read.get("/api/v1/hashtags/%23python/tweets", {"limit": 1}).json()] == [second["id"]]
    assert alice.read.get("/api/v1/hashtags/not-a-tag!/tweets").status_code == 400
    trending = alice.read.get("/api/v1/hashtags/trending").json()
    assert trending == [{"tag": "python", "count": 2}, {"tag": "django", "count": 1}]
    outbox.deliver()  # replaying nothing new counts nothing twice
    assert alice.read.get("/api/v1/hashtags/trending", {"limit": 1}).json() == [{"tag": "python", "count": 2}]
    assert alice.read.get("/api/v1/hashtags/trending", {"hours": "0"}).status_code == 400
    assert alice.read.get("/api/v1/hashtags/trending", {"hours": "9999"}).status_code == 400


# --- Replies and conversations --------------------------------------------------------


def test_context_lists_ancestors_root_first_and_descendants(api_for: Any, outbox: Events) -> None:
    alice, bob = api_for(UserFactory(username="alice")), api_for(UserFactory(username="bob"))
    root = alice.tweet("root")
    reply = bob.tweet("reply", reply_to_id=root["id"])
    nested = alice.tweet("nested", reply_to_id=reply["id"])
    side = bob.tweet("side", reply_to_id=root["id"])
    gone = bob.tweet("gone", reply_to_id=nested["id"])
    bob.write.delete(f"/api/v1/tweets/{gone['id']}")

    context = alice.read.get(f"/api/v1/tweets/{nested['id']}/context").json()
    assert [t["id"] for t in context["ancestors"]] == [root["id"], reply["id"]]
    assert context["descendants"] == []
    context = alice.read.get(f"/api/v1/tweets/{root['id']}/context").json()
    assert context["ancestors"] == []
    assert [t["id"] for t in context["descendants"]] == [reply["id"], nested["id"], side["id"]]
    assert tweet_json(alice, root["id"])["reply_count"] == 2
    replies = alice.read.get(f"/api/v1/tweets/{root['id']}/replies").json()
    assert [t["id"] for t in replies] == [side["id"], reply["id"]]
    assert alice.read.get(f"/api/v1/tweets/{gone['id']}/context").status_code == 404


def test_replying_to_a_deleted_tweet_is_refused(api_for: Any, outbox: Events) -> None:
    alice, bob = api_for(UserFactory(username="alice")), api_for(UserFactory(username="bob"))
    root = alice.tweet("root")
    alice.write.delete(f"/api/v1/tweets/{root['id']}")
    response = bob.write.post("/api/v1/tweets", {"text": "late", "reply_to_id": root["id"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reply_target_unavailable"
    assert Tweet.objects.count() == 1


def test_liked_by_and_a_users_likes(trio: tuple[Api, Api, Api], outbox: Events) -> None:
    reader, author, booster = trio
    first, second = author.tweet("one"), author.tweet("two")
    like(reader, first["id"])
    like(booster, first["id"])
    like(reader, second["id"])
    likers = reader.read.get(f"/api/v1/tweets/{first['id']}/liked_by").json()
    assert [u["username"] for u in likers] == ["booster", "reader"]
    page = reader.read.get(f"/api/v1/users/{reader.user.pk}/likes", {"limit": 1})
    assert [t["id"] for t in page.json()] == [second["id"]]
    assert 'rel="next"' in page["Link"]
    older = reader.read.get(page["Link"].split(";")[0].strip("<>")).json()
    assert [t["id"] for t in older] == [first["id"]]
    assert all(t["liked"] for t in older)


def test_a_viewers_flags_come_from_the_database_when_redis_is_down(trio: tuple[Api, Api, Api]) -> None:
    reader, author, _ = trio
    liked, both, undone, plain = (int(author.tweet(f"t{i}")["id"]) for i in range(4))
    like(reader, str(liked))
    like(reader, str(both))
    retweet(reader, str(both))
    retweet(reader, str(undone))
    retweet(reader, str(undone), method="delete", status=200)
    everything = tweet_selectors.engaged_tweet_ids(user_id=reader.user.pk, using="default")
    assert everything == ({liked, both}, {both})
    among = tweet_selectors.engaged_tweet_ids(user_id=reader.user.pk, using="default", among=[both, undone, plain])
    assert among == ({both}, {both})
    with mock.patch.object(engagement, "get_redis", side_effect=RedisConnectionError("down")):
        flags = engagement.flag_bits(viewer_id=reader.user.pk, tweet_ids=[liked, both, undone, plain])
    assert flags == {liked: b"10", both: b"11", undone: b"00", plain: b"00"}  # liked, retweeted
    assert engagement.render(flags[liked]) == b',"liked":true,"retweeted":false'
    assert engagement.render(flags[both]) == b',"liked":true,"retweeted":true'
