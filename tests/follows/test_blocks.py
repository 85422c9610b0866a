"""Blocks and mutes: what each one hides, from whom and where; both take effect at the
next request (on the warm home path with no SQL) and are undone by unblocking and
unmuting (follows are not restored)."""

from io import StringIO
from typing import Any

import pytest
import redis
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.notifications.models import Notification
from apps.timelines import feeds
from tests.conftest import Api, Events
from tests.factories import UserFactory


@pytest.fixture
def ann(api_for: Any) -> Api:
    return api_for(UserFactory(username="ann"))


@pytest.fixture
def ben(api_for: Any) -> Api:
    return api_for(UserFactory(username="ben"))


@pytest.fixture
def cat(api_for: Any) -> Api:
    return api_for(UserFactory(username="cat"))


def _profile(viewer: Api, other: Api) -> dict[str, Any]:
    response = viewer.read.get(f"/api/v1/users/{other.user.pk}")
    assert response.status_code == 200
    return dict(response.json())


def _texts(tweets: list[dict[str, Any]]) -> list[str]:
    return [t["text"] or f"RT {t['retweet_of']['text']}" for t in tweets]


def _warm_home(api: Api) -> list[str]:
    """The home page, asserted to come from Redis alone (no SQL on either database)."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        home = api.home()
    assert not primary.captured_queries, [q["sql"] for q in primary.captured_queries]
    assert not replica.captured_queries, [q["sql"] for q in replica.captured_queries]
    return _texts(home)


def test_a_block_ends_follows_both_ways_and_is_idempotent(ann: Api, ben: Api, outbox: Events) -> None:
    ann.follow(ben.user)
    ben.follow(ann.user)
    for _ in range(2):
        response = ann.write.post(f"/api/v1/users/{ben.user.pk}/block")
        assert (response.status_code, response.json()) == (200, {"blocking": True})
    assert (_profile(ann, ben)["following"], _profile(ben, ann)["following"]) == (False, False)
    assert (_profile(ann, ben)["blocking"], _profile(ben, ann)["blocking"]) == (True, False)
    ben.user.refresh_from_db()
    assert (ben.user.followers_count, ben.user.following_count) == (0, 0)
    for follower, followee in ((ben, ann), (ann, ben)):
        refused = follower.write.post(f"/api/v1/users/{followee.user.pk}/follow")
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "blocked")
    assert [u["username"] for u in ann.read.get("/api/v1/blocks").json()] == ["ben"]
    for _ in range(2):
        assert ann.write.delete(f"/api/v1/users/{ben.user.pk}/block").json() == {"blocking": False}
    assert _profile(ann, ben)["following"] is False  # an unblock restores no follow
    assert ann.read.get("/api/v1/blocks").json() == []
    ann.follow(ben.user)


@pytest.mark.parametrize("action", ["block", "mute"])
def test_oneself_and_unknown_users_are_refused(ann: Api, action: str) -> None:
    own = ann.write.post(f"/api/v1/users/{ann.user.pk}/{action}")
    assert own.status_code == 400
    unknown = ann.write.post(f"/api/v1/users/999999999/{action}")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "user_not_found")
    assert ann.read.get(f"/api/v1/{action}s").json() == []


def test_a_mute_hides_from_the_home_at_once_and_nothing_else(ann: Api, ben: Api, cat: Api, outbox: Events) -> None:
    ann.follow(ben.user)
    ann.follow(cat.user)
    ann.home()
    original = ben.tweet("ben speaks")
    cat.write.post(f"/api/v1/tweets/{original['id']}/retweet")
    cat.tweet("cat speaks")
    outbox.deliver()
    both = ["cat speaks", "RT ben speaks"]  # the original shows once: its retweet is newer
    assert _texts(ann.home()) == both
    _warm_home(ann)  # the caches and the exclusion sets are loaded

    assert ann.write.post(f"/api/v1/users/{ben.user.pk}/mute").json() == {"muting": True}
    assert _warm_home(ann) == ["cat speaks"]  # his tweets and retweets of them, at once
    assert _profile(ann, ben)["muting"] is True
    shown = ann.read.get(f"/api/v1/users/{ben.user.pk}/tweets").json()
    assert _texts(shown) == ["ben speaks"]  # only the home hides a muted user
    assert ann.read.get(f"/api/v1/tweets/{original['id']}").status_code == 200
    assert [u["username"] for u in ann.read.get("/api/v1/mutes").json()] == ["ben"]

    assert ann.write.delete(f"/api/v1/users/{ben.user.pk}/mute").json() == {"muting": False}
    assert _warm_home(ann) == both
    outbox.deliver()  # the consumers repeat it: nothing changes
    assert _warm_home(ann) == both


def test_a_block_hides_both_ways_everywhere_at_once(ann: Api, ben: Api, cat: Api, outbox: Events) -> None:
    ann.follow(cat.user)
    ben.follow(cat.user)
    ann.home()
    ben.home()
    bens = ben.tweet("ben on #topic")
    cat.write.post(f"/api/v1/tweets/{bens['id']}/retweet")
    anns = ann.tweet("ann on #topic")
    cats = cat.tweet("cat asks")
    ben_reply = ben.tweet("ben answers", reply_to_id=cats["id"])
    outbox.deliver()
    before = ["cat asks", "ann on #topic", "RT ben on #topic"]
    assert _texts(ann.home()) == before
    _warm_home(ann)

    ann.write.post(f"/api/v1/users/{ben.user.pk}/block")
    assert _warm_home(ann) == ["cat asks", "ann on #topic"]  # the retweet of ben is gone
    assert "ann on #topic" not in _texts(ben.read.get(f"/api/v1/users/{ann.user.pk}/tweets").json())
    assert ann.read.get(f"/api/v1/users/{ben.user.pk}/tweets").json() == []
    replies = ann.read.get(f"/api/v1/tweets/{cats['id']}/replies").json()
    assert ben_reply["id"] not in [t["id"] for t in replies]
    tagged = ann.read.get("/api/v1/hashtags/topic/tweets").json()
    assert _texts(tagged) == ["ann on #topic"]
    assert ann.read.get(f"/api/v1/tweets/{bens['id']}").status_code == 404
    assert ben.read.get(f"/api/v1/tweets/{anns['id']}").status_code == 404
    # Anyone else still sees both.
    assert _texts(cat.read.get("/api/v1/hashtags/topic/tweets").json()) == ["ann on #topic", "ben on #topic"]

    ann.write.delete(f"/api/v1/users/{ben.user.pk}/block")
    assert _warm_home(ann) == before


def test_a_blocked_user_cannot_notify_and_a_mute_hides_notifications(
    ann: Api, ben: Api, cat: Api, outbox: Events
) -> None:
    post = ann.tweet("ann's post")
    cat.write.post(f"/api/v1/tweets/{post['id']}/like")
    outbox.deliver()
    assert [n["type"] for n in ann.read.get("/api/v1/notifications").json()] == ["like"]
    ann.write.post(f"/api/v1/users/{cat.user.pk}/mute")
    assert ann.read.get("/api/v1/notifications").json() == []
    assert ann.read.get("/api/v1/notifications/unread_count").json() == {"count": 0}
    ann.write.delete(f"/api/v1/users/{cat.user.pk}/mute")
    assert len(ann.read.get("/api/v1/notifications").json()) == 1

    ann.write.post(f"/api/v1/users/{ben.user.pk}/block")
    ben.write.post(f"/api/v1/tweets/{post['id']}/like")
    ben.write.post(f"/api/v1/tweets/{post['id']}/retweet")
    ben.tweet("hey @ann")
    ben.tweet("a reply", reply_to_id=post["id"])
    ben.write.post(f"/api/v1/users/{ann.user.pk}/follow")
    outbox.deliver()
    assert not Notification.objects.filter(actor_id=ben.user.pk).exists()


def test_a_block_refuses_direct_messages_both_ways(ann: Api, ben: Api, outbox: Events) -> None:
    ben.follow(ann.user)
    ann.follow(ben.user)
    conversation = ann.write.post(
        "/api/v1/conversations", {"participant_ids": [str(ben.user.pk)]}, format="json"
    ).json()["id"]
    ben.write.post(f"/api/v1/users/{ann.user.pk}/block")
    for sender, other in ((ann, ben), (ben, ann)):
        started = sender.write.post("/api/v1/conversations", {"participant_ids": [str(other.user.pk)]}, format="json")
        assert (started.status_code, started.json()["error"]["code"]) == (403, "dm_not_allowed")
        sent = sender.write.post(f"/api/v1/conversations/{conversation}/messages", {"text": "hi"}, format="json")
        assert (sent.status_code, sent.json()["error"]["code"]) == (403, "dm_not_allowed")


def test_moderators_see_blocks_and_mutes_in_the_admin(ann: Api, ben: Api, admin_client: Any) -> None:
    ann.write.post(f"/api/v1/users/{ben.user.pk}/block")
    ann.write.post(f"/api/v1/users/{ben.user.pk}/mute")
    for model in ("block", "mute"):
        page = admin_client.get(f"/admin/follows/{model}/")
        assert page.status_code == 200
        assert b"@ben" in page.content


def test_the_worker_cleans_cached_homes_and_the_fan_out_leaves_them_out(
    ann: Api, ben: Api, cat: Api, outbox: Events
) -> None:
    ann.follow(ben.user)
    ann.follow(cat.user)
    ann.home()
    home = feeds.Home(ann.user.pk)
    bens = ben.tweet("ben speaks")["id"]
    cat_retweet = cat.write.post(f"/api/v1/tweets/{bens}/retweet").json()["retweet_id"]
    cats = cat.tweet("cat speaks")["id"]
    outbox.deliver()
    assert feeds.ids(home) == [int(cats), int(cat_retweet), int(bens)]

    ann.write.post(f"/api/v1/users/{ben.user.pk}/mute")
    outbox.deliver()
    assert feeds.ids(home) == [int(cats)]  # his tweet and the retweet of it left the list
    again = ben.tweet("ben again")["id"]
    cat_again = cat.write.post(f"/api/v1/tweets/{again}/retweet").json()["retweet_id"]
    outbox.deliver()
    assert feeds.ids(home) == [int(cats)]  # the fan-out passed the muter by
    assert "0 of 1 cached home timelines differ" in _check_timelines(ann)

    ann.write.delete(f"/api/v1/users/{ben.user.pk}/mute")
    outbox.deliver()
    assert feeds.ids(home) == sorted(map(int, [bens, cat_retweet, cats, again, cat_again]), reverse=True)

    ann.write.post(f"/api/v1/users/{cat.user.pk}/block")
    outbox.deliver()
    assert feeds.ids(home) == sorted(map(int, [bens, again]), reverse=True)  # cat's follow and entries went
    assert "0 of 1 cached home timelines differ" in _check_timelines(ann)
    ann.write.delete(f"/api/v1/users/{cat.user.pk}/block")
    outbox.deliver()
    assert feeds.ids(home) == sorted(map(int, [bens, again]), reverse=True)  # an unblock restores no follow


def test_a_page_from_the_database_is_full_when_its_newest_entries_are_excluded(
    ann: Api, ben: Api, cat: Api, outbox: Events, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann.follow(ben.user)
    ann.follow(cat.user)
    cats = [cat.tweet(f"cat {i}")["id"] for i in range(2)]
    for i in range(3):
        ben.tweet(f"ben {i}")
    ann.write.post(f"/api/v1/users/{ben.user.pk}/mute")
    outbox.deliver()

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise redis.ConnectionError("this read comes from the database")

    monkeypatch.setattr(feeds, "page", unavailable)
    response = ann.read.get("/api/v1/timelines/home", {"limit": 1})
    assert [t["id"] for t in response.json()] == [cats[1]]
    assert f"max_id={cats[1]}" in response["Link"]  # and the next page goes on
    assert ann.home_ids(limit=1, max_id=cats[1]) == [cats[0]]


def _check_timelines(api: Api) -> str:
    out = StringIO()
    call_command("check_timelines", "--user", str(api.user.pk), stdout=out)
    return out.getvalue()
