"""The home-visibility rule (apps.tweets.visibility) holds on every path: on random
graphs (with blocks and mutes), the home served from the cache (fan-out, celebrities merged at read time, the
page script, or the cluster's page read) equals the home computed from the database."""

import random
from typing import Any

import pytest
import redis

from apps.timelines import feeds
from apps.users import services as user_services
from tests.conftest import Api, Events
from tests.factories import UserFactory

USERS = 6
STEPS = 40
OPERATIONS = (
    *("follow", "follow", "follow", "unfollow", "tweet", "tweet", "reply", "retweet", "delete", "suspend"),
    *("block", "unblock", "mute", "unmute"),
)


class _Graph:
    def __init__(self, rng: random.Random, users: list[Api]) -> None:
        self.rng = rng
        self.users = users
        self.suspended: set[int] = set()
        # Unsuspended users stay out of the acting and reading: their old tokens are
        # revoked (their tweets show again all the same).
        self.returned: set[int] = set()
        self.tweets: list[tuple[str, int]] = []  # (id, author index), live ones
        self.texts: dict[str, str] = {}
        self.retweet_of: dict[str, str] = {}
        self.log: list[str] = []

    def active(self) -> list[int]:
        return [i for i in range(len(self.users)) if i not in self.suspended | self.returned]

    def describe(self, ids: list[str]) -> list[str]:
        """Each tweet as `id:text` (whose, and what kind), for a failure's message."""
        return [f"{tweet_id[-6:]}:{self.texts.get(tweet_id, '?')}" for tweet_id in ids]

    def step(self, operation: str) -> None:
        rng, active = self.rng, self.active()
        actor = rng.choice(active)
        user = self.users[actor]
        other_index = rng.choice([i for i in range(len(self.users)) if i != actor])
        other = self.users[other_index]
        self.log.append(f"{operation} {actor}->{other_index}")
        if operation == "follow":
            user.write.post(f"/api/v1/users/{other.user.pk}/follow")
        elif operation == "unfollow":
            user.write.delete(f"/api/v1/users/{other.user.pk}/follow")
        elif operation == "tweet":
            made = user.tweet(f"step by {actor}")["id"]
            self.tweets.append((made, actor))
            self.texts[made] = f"tweet by {actor}"
        elif operation in ("reply", "retweet") and self.tweets:
            target, _ = rng.choice(self.tweets)
            if operation == "reply":
                response = user.write.post("/api/v1/tweets", {"text": "a reply", "reply_to_id": target}, format="json")
                key = "id"
            else:
                response = user.write.post(f"/api/v1/tweets/{target}/retweet")
                key = "retweet_id"
            if response.status_code == 201:  # 200: the retweet existed already
                made = response.json()[key]
                self.tweets.append((made, actor))
                if operation == "retweet":  # of the original, even when `target` is a retweet
                    self.retweet_of[made] = self.retweet_of.get(target, target)
                self.texts[made] = f"{operation} by {actor} of {target[-6:]} ({self.texts.get(target)})"
        elif operation in ("block", "mute"):
            assert user.write.post(f"/api/v1/users/{other.user.pk}/{operation}").status_code == 200
        elif operation in ("unblock", "unmute"):
            assert user.write.delete(f"/api/v1/users/{other.user.pk}/{operation[2:]}").status_code == 200
        elif operation == "delete":
            own = [tweet for tweet in self.tweets if tweet[1] == actor]
            if own:
                tweet = rng.choice(own)
                assert user.write.delete(f"/api/v1/tweets/{tweet[0]}").status_code == 204
                # Deleting an original deletes its retweets.
                self.tweets = [t for t in self.tweets if t != tweet and self.retweet_of.get(t[0]) != tweet[0]]
        elif operation == "suspend" and len(active) > 3 and len(self.returned) < 2:
            if self.suspended and rng.random() < 0.5:
                back = self.suspended.pop()
                user_services.user_unsuspend(user_id=self.users[back].user.pk)
                self.returned.add(back)
            else:
                self.suspended.add(actor)
                user_services.user_suspend(user_id=user.user.pk)


def _home_from_database(viewer: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The home as the database computes it: what the read-API serves when Redis cannot."""

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise redis.ConnectionError("this read comes from the database")

    with monkeypatch.context() as patch:
        patch.setattr(feeds, "page", unavailable)
        return viewer.home_ids(limit=100)


@pytest.mark.parametrize("seed", range(25))
def test_the_cached_home_is_the_home_the_database_computes(
    seed: int, api_for: Any, outbox: Events, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CELEBRITY_FOLLOWERS = 3  # some authors become celebrities: merged at read time
    rng = random.Random(seed)
    users = [api_for(UserFactory()) for _ in range(USERS)]
    graph = _Graph(rng, users)
    for user in users:
        user.home()  # active readers: their home lists exist and take the fan-out
    for _ in range(STEPS):
        graph.step(rng.choice(OPERATIONS))
        if rng.random() < 0.5:  # events are delivered late at times, and in batches
            outbox.deliver()
            graph.log.append("deliver")
    outbox.deliver()

    compared = 0
    for index in graph.active():
        viewer = users[index]
        cached = viewer.home_ids(limit=100)
        expected = _home_from_database(viewer, monkeypatch)
        assert cached == expected, (
            f"seed {seed}, viewer {index}: {graph.describe(cached)} != {graph.describe(expected)}; {graph.log}"
        )
        compared += len(cached)
    assert compared > 0  # the graphs are not empty
