"""Randomized runs of follows, unfollows, tweets, replies, retweets, blocks, mutes and
deletes leave every cached home timeline equal to what the database implies; the
operator commands agree."""

import random
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from apps.timelines import feeds, services
from tests.conftest import Api, Events
from tests.factories import UserFactory


def _check() -> str:
    out = StringIO()
    call_command("check_timelines", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_random_activity_leaves_no_differences(api_for: Any, outbox: Events, settings: Any, seed: int) -> None:
    rng = random.Random(seed)
    settings.CELEBRITY_FOLLOWERS = 5
    people: list[Api] = [api_for(UserFactory()) for _ in range(8)]
    for person in people[:6]:
        person.home()  # active users have cached homes; the other two are rebuilt on read
    tweets: list[tuple[Api, str]] = []
    retweet_of: dict[str, str] = {}
    for _ in range(120):
        actor = rng.choice(people)
        action = rng.random()
        if action < 0.3:
            other = rng.choice([p for p in people if p is not actor])
            actor.write.post(f"/api/v1/users/{other.user.pk}/follow")
        elif action < 0.4:
            other = rng.choice([p for p in people if p is not actor])
            actor.write.delete(f"/api/v1/users/{other.user.pk}/follow")
        elif action < 0.75:
            tweets.append((actor, actor.tweet(f"tweet {len(tweets)}")["id"]))
        elif action < 0.8 and tweets:
            _, target = rng.choice(tweets)
            response = actor.write.post("/api/v1/tweets", {"text": "a reply", "reply_to_id": target}, format="json")
            if response.status_code == 201:
                tweets.append((actor, response.json()["id"]))
        elif action < 0.85 and tweets:
            _, target = rng.choice(tweets)
            response = actor.write.post(f"/api/v1/tweets/{target}/retweet")
            if response.status_code == 201:
                tweets.append((actor, response.json()["retweet_id"]))
                retweet_of[response.json()["retweet_id"]] = retweet_of.get(target, target)
        elif action < 0.9:  # blocks and mutes, made and undone: the worker cleans the lists
            other = rng.choice([p for p in people if p is not actor])
            relation = rng.choice(["block", "mute"])
            method = actor.write.post if rng.random() < 0.7 else actor.write.delete
            assert method(f"/api/v1/users/{other.user.pk}/{relation}").status_code == 200
        elif tweets:
            author, tweet_id = tweets.pop(rng.randrange(len(tweets)))
            assert author.write.delete(f"/api/v1/tweets/{tweet_id}").status_code == 204
            tweets = [t for t in tweets if retweet_of.get(t[1]) != tweet_id]  # its retweets went with it
        if rng.random() < 0.3:
            outbox.deliver()  # consumers run late and in bursts, as a busy worker would
    outbox.deliver()
    report = _check()
    assert "0 of 6 cached home timelines differ" in report, report


def test_check_reports_and_repairs_a_damaged_timeline(api_for: Any, outbox: Events) -> None:
    reader, author = api_for(UserFactory()), api_for(UserFactory())
    reader.follow(author.user)
    reader.home()
    posted = [int(author.tweet(f"t{i}")["id"]) for i in range(3)]
    outbox.deliver()
    feeds.unpush([posted[1]], [feeds.Home(reader.user.pk)])  # lose one entry
    assert "1 of 1 cached home timelines differ" in _check()
    out = StringIO()
    call_command("check_timelines", "--repair", stdout=out)
    assert "(repaired)" in out.getvalue()
    assert "0 of 1 cached home timelines differ" in _check()
    assert feeds.ids(feeds.Home(reader.user.pk)) == list(reversed(posted))


def test_rebuild_command_for_one_user_and_all(api_for: Any, outbox: Events) -> None:
    reader, author = api_for(UserFactory()), api_for(UserFactory())
    reader.follow(author.user)
    tweet = int(author.tweet("hello")["id"])
    outbox.deliver()
    out = StringIO()
    call_command("rebuild_timelines", "--user", str(reader.user.pk), stdout=out)
    assert "rebuilt 1/1 users" in out.getvalue()
    assert feeds.ids(feeds.Home(reader.user.pk)) == [tweet]
    call_command("rebuild_timelines", "--all", stdout=out)
    assert "rebuilt 2/2 users" in out.getvalue()
    assert feeds.ids(feeds.Profile(author.user.pk)) == [tweet]


def test_seed_builds_a_consistent_graph(outbox: Events, settings: Any) -> None:
    settings.CELEBRITY_FOLLOWERS = 50
    out = StringIO()
    call_command(
        "seed",
        "--users",
        "120",
        "--follows",
        "5",
        "--tweets",
        "400",
        "--celebrities",
        "1",
        "--big-account",
        "30",
        "--prefix",
        "s",
        stdout=out,
    )
    assert "seeded 120 users" in out.getvalue()
    from apps.users.models import User

    star = User.objects.order_by("-followers_count").first()
    assert star is not None
    assert star.followers_count >= 50
    assert services.is_celebrity(star.pk)
    assert sum(User.objects.values_list("tweets_count", flat=True)) == 400
    from django.db import connection

    with connection.cursor() as cursor:  # every counter the loaders were given is the true one
        cursor.execute(
            "SELECT count(*) FROM users_user u WHERE followers_count <> (SELECT count(*) FROM follows_follow f"
            " WHERE f.followee_id = u.id) OR following_count <> (SELECT count(*) FROM follows_follow f"
            " WHERE f.follower_id = u.id) OR tweets_count <> (SELECT count(*) FROM tweets_tweet t"
            " WHERE t.author_id = u.id)"
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE reply_count <> (SELECT count(*) FROM tweets_tweet r"
            " WHERE r.reply_to_id = t.id)) FROM tweets_tweet t"
        )
        assert cursor.fetchone() == (400, 0)
        cursor.execute("SELECT count(*) FROM tweets_tweethashtag")
        assert cursor.fetchone() == (400,)  # each seeded tweet has one hashtag
    call_command("rebuild_timelines", "--all", stdout=StringIO())
    assert "0 of 120 cached home timelines differ" in _check()
