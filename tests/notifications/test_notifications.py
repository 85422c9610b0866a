"""Notifications: made from outbox events (run eagerly here), grouped, read, undone."""

from typing import Any

import pytest
from celery import current_app

from apps.notifications.models import Notification
from tests.conftest import Api, Events
from tests.factories import UserFactory
from twitter import events
from twitter.models import OutboxEvent


@pytest.fixture
def people(api_for: Any) -> dict[str, Api]:
    return {name: api_for(UserFactory(username=name)) for name in ("alice", "bob", "carol")}


def listing(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.read.get("/api/v1/notifications", params)
    assert response.status_code == 200, response.content
    return list(response.json())


def kinds(api: Api, **params: Any) -> list[tuple[str, list[str]]]:
    return [(n["type"], [a["username"] for a in n["actors"]]) for n in listing(api, **params)]


def test_each_cause_notifies_the_right_user_and_undoing_it_removes_it(people: dict[str, Api], outbox: Events) -> None:
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    tweet = alice.tweet("hello")
    bob.follow(alice.user)
    bob.write.post(f"/api/v1/tweets/{tweet['id']}/like")
    carol.write.post(f"/api/v1/tweets/{tweet['id']}/retweet")
    reply = bob.tweet("@alice hi back, and @carol", reply_to_id=tweet["id"])
    outbox.deliver()

    assert kinds(alice) == [("reply", ["bob"]), ("retweet", ["carol"]), ("like", ["bob"]), ("follow", ["bob"])]
    assert kinds(carol) == [("mention", ["bob"])]  # a reply to alice is not also a mention of her
    assert kinds(bob) == []
    first = listing(alice)[0]
    assert first["tweet"]["id"] == reply["id"]
    assert (first["read"], first["actors_count"]) == (False, 1)

    bob.unfollow(alice.user)
    bob.write.delete(f"/api/v1/tweets/{tweet['id']}/like")
    carol.write.delete(f"/api/v1/tweets/{tweet['id']}/retweet")
    bob.write.delete(f"/api/v1/tweets/{reply['id']}")
    outbox.deliver()
    assert kinds(alice) == []
    assert kinds(carol) == []
    assert Notification.objects.count() == 0


def test_a_replayed_event_creates_nothing_new(people: dict[str, Api], outbox: Events) -> None:
    alice, bob = people["alice"], people["bob"]
    tweet = alice.tweet("hello")
    bob.write.post(f"/api/v1/tweets/{tweet['id']}/like")
    bob.follow(alice.user)
    outbox.deliver()
    assert Notification.objects.count() == 2
    replayed = 0
    for event in OutboxEvent.objects.all():
        for task_name in events.subscribers(event.event_type):
            if task_name.startswith("apps.notifications."):
                current_app.tasks[task_name](event.id, event.payload)
                replayed += 1
    assert replayed == 3  # tweet.created, like.created, follow.created
    assert Notification.objects.count() == 2


def test_an_event_that_arrives_after_its_cause_was_undone_creates_nothing(
    people: dict[str, Api], outbox: Events
) -> None:
    alice, bob = people["alice"], people["bob"]
    tweet = alice.tweet("hello")
    bob.write.post(f"/api/v1/tweets/{tweet['id']}/like")
    bob.write.delete(f"/api/v1/tweets/{tweet['id']}/like")
    outbox.deliver()  # like.created runs after the unlike committed
    assert Notification.objects.count() == 0


def test_acting_on_your_own_content_notifies_no_one(people: dict[str, Api], outbox: Events) -> None:
    alice = people["alice"]
    tweet = alice.tweet("talking to myself, @alice")
    alice.write.post(f"/api/v1/tweets/{tweet['id']}/like")
    alice.write.post(f"/api/v1/tweets/{tweet['id']}/retweet")
    alice.tweet("a self-thread", reply_to_id=tweet["id"])
    outbox.deliver()
    assert Notification.objects.count() == 0


def test_likes_and_retweets_of_one_tweet_are_grouped(api_for: Any, outbox: Events) -> None:
    author = api_for(UserFactory(username="author"))
    fans = [api_for(UserFactory(username=f"fan{i}")) for i in range(5)]
    tweet = author.tweet("popular")
    other = author.tweet("less popular")
    for fan in fans:
        fan.write.post(f"/api/v1/tweets/{tweet['id']}/like")
    fans[0].write.post(f"/api/v1/tweets/{other['id']}/like")
    fans[1].write.post(f"/api/v1/tweets/{tweet['id']}/retweet")
    outbox.deliver()
    groups = listing(author)
    assert [(g["type"], g["actors_count"], g["tweet"]["id"]) for g in groups] == [
        ("retweet", 1, tweet["id"]),
        ("like", 1, other["id"]),
        ("like", 5, tweet["id"]),
    ]
    assert [a["username"] for a in groups[2]["actors"]] == ["fan4", "fan3", "fan2"]
    assert kinds(author, type="retweet") == [("retweet", ["fan1"])]
    assert [g["type"] for g in listing(author, type="like,retweet", limit=2)] == ["retweet", "like"]
    page = author.read.get("/api/v1/notifications", {"limit": 2})
    older = author.read.get(page["Link"].split(";")[0].strip("<>")).json()
    assert [(g["type"], g["actors_count"]) for g in older] == [("like", 5)]
    assert author.read.get("/api/v1/notifications", {"type": "poke"}).status_code == 400


def test_unread_count_and_marking_read(people: dict[str, Api], outbox: Events) -> None:
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    bob.follow(alice.user)
    carol.follow(alice.user)
    outbox.deliver()
    assert alice.read.get("/api/v1/notifications/unread_count").json() == {"count": 2}
    _, oldest = listing(alice)
    marked = alice.write.post("/api/v1/notifications/read", {"up_to_id": oldest["id"]}, format="json")
    assert marked.status_code == 200
    assert marked.json() == {"last_read_id": oldest["id"]}
    assert alice.read.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    assert [n["read"] for n in listing(alice)] == [False, True]
    # The marker never moves back.
    alice.write.post("/api/v1/notifications/read", {"up_to_id": "1"}, format="json")
    assert alice.read.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    bad = alice.write.post("/api/v1/notifications/read", {"up_to_id": "x"}, format="json")
    assert bad.status_code == 400
    assert alice.write.post("/api/v1/notifications/read", {}, format="json").status_code == 400
    assert alice.read.get("/api/v1/notifications").status_code == 200
    assert bob.read.__class__(enforce_csrf_checks=False).get("/api/v1/notifications").status_code == 401
