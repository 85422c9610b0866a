"""Statuses, timelines, accounts and notifications on the Mastodon-compatible API: the
entities Mastodon clients parse, over the same data the native API shows."""

from typing import Any

import pytest

from tests.conftest import Events
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_status_with_a_reply_a_mention_and_a_hashtag(session_for: Any, outbox: Events) -> None:
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    a, b = session_for(alice), session_for(bob)
    first = a.post("Hello <world> #Python")
    reply = b.post("@alice agreed, see https://example.com/x.", in_reply_to_id=first["id"])
    assert reply["in_reply_to_id"] == first["id"]
    assert reply["in_reply_to_account_id"] == str(alice.pk)
    assert reply["mentions"] == [
        {"id": str(alice.pk), "username": "alice", "acct": "alice", "url": "http://testserver/@alice"}
    ]
    assert first["tags"] == [{"name": "python", "url": "http://testserver/tags/python"}]
    assert first["content"] == (
        '<p>Hello &lt;world&gt; <a href="http://testserver/tags/python" class="mention hashtag" rel="tag">'
        "#<span>Python</span></a></p>"
    )
    assert '<a href="http://testserver/@alice" class="u-url mention">@<span>alice</span></a>' in reply["content"]
    assert '<a href="https://example.com/x" target="_blank"' in reply["content"]
    account = first["account"]
    assert account["username"] == account["acct"] == "alice"
    assert account["statuses_count"] == 1
    assert first["visibility"] == "public"
    assert first["favourited"] is False
    assert first["reblog"] is None
    outbox.deliver()
    context = a.read.get(f"/api/v1/statuses/{first['id']}/context").json()
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]
    assert context["ancestors"] == []


def test_home_favourite_reblog_and_delete(session_for: Any, outbox: Events) -> None:
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    a, b = session_for(alice), session_for(bob)
    relationship = b.write.post(f"/api/v1/accounts/{alice.pk}/follow").json()
    assert relationship["following"] is True
    assert relationship["id"] == str(alice.pk)
    status = a.post("first")
    outbox.deliver()
    home = b.read.get("/api/v1/timelines/home")
    assert [s["id"] for s in home.json()] == [status["id"]]
    assert home.json()[0]["account"]["followers_count"] >= 0

    favourited = b.write.post(f"/api/v1/statuses/{status['id']}/favourite").json()
    assert favourited["favourited"] is True
    assert favourited["favourites_count"] == 1
    boosted = b.write.post(f"/api/v1/statuses/{status['id']}/reblog").json()
    assert boosted["reblog"]["id"] == status["id"]
    assert boosted["reblog"]["reblogged"] is True
    assert boosted["account"]["username"] == "bob"
    assert boosted["content"] == ""
    outbox.deliver()
    who = a.read.get(f"/api/v1/statuses/{status['id']}/favourited_by").json()
    assert [account["username"] for account in who] == ["bob"]
    assert [x["username"] for x in a.read.get(f"/api/v1/statuses/{status['id']}/reblogged_by").json()] == ["bob"]
    unboosted = b.write.post(f"/api/v1/statuses/{status['id']}/unreblog").json()
    assert unboosted["id"] == status["id"]
    assert unboosted["reblogged"] is False

    types = [n["type"] for n in a.read.get("/api/v1/notifications").json()]
    assert sorted(types) == ["favourite", "follow", "reblog"]
    only = a.read.get("/api/v1/notifications", {"types[]": ["favourite"]}).json()
    assert [n["type"] for n in only] == ["favourite"]
    assert only[0]["status"]["id"] == status["id"]
    without = a.read.get("/api/v1/notifications", {"exclude_types[]": ["favourite", "reblog"]}).json()
    assert [n["type"] for n in without] == ["follow"]

    assert b.write.delete(f"/api/v1/statuses/{status['id']}").status_code == 404  # not theirs
    deleted = a.write.delete(f"/api/v1/statuses/{status['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["text"] == "first"
    assert a.read.get(f"/api/v1/statuses/{status['id']}").json() == {"error": "Record not found"}


def test_direct_visibility_sends_a_direct_message(session_for: Any) -> None:
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    a, b = session_for(alice), session_for(bob)
    refused = a.write.post("/api/v1/statuses", {"status": "@bob psst", "visibility": "direct"}, format="json")
    assert refused.status_code == 403
    assert "does not accept your messages" in refused.json()["error"]
    b.write.post(f"/api/v1/accounts/{alice.pk}/follow")  # bob takes messages from those he follows
    sent = a.post("@bob psst", visibility="direct")
    assert sent["visibility"] == "direct"
    assert sent["mentions"][0]["username"] == "bob"
    conversations = b.read.get("/api/v1/conversations").json()
    assert len(conversations) == 1
    assert conversations[0]["unread"] is True
    assert conversations[0]["accounts"][0]["username"] == "alice"
    assert conversations[0]["last_status"]["id"] == sent["id"]
    read = b.write.post(f"/api/v1/conversations/{conversations[0]['id']}/read").json()
    assert read["unread"] is False
    nobody = a.write.post("/api/v1/statuses", {"status": "no one", "visibility": "direct"}, format="json")
    assert nobody.status_code == 422
    assert "mention" in nobody.json()["error"]


@pytest.mark.parametrize("visibility", ["unlisted", "private", "everyone"])
def test_unsupported_visibilities_are_refused_and_nothing_is_posted(session_for: Any, visibility: str) -> None:
    alice = UserFactory()
    a = session_for(alice)
    refused = a.write.post("/api/v1/statuses", {"status": "hi", "visibility": visibility}, format="json")
    assert refused.status_code == 422
    assert "visibility" in refused.json()["error"]
    assert a.read.get(f"/api/v1/accounts/{alice.pk}/statuses").json() == []


def test_bad_input_is_a_clear_4xx(session_for: Any) -> None:
    a = session_for(UserFactory())
    bodies = [
        {"status": ""},
        {"status": "x" * 281},
        {"status": 5},
        {"status": "x", "in_reply_to_id": "abc"},
        {"status": "x", "media_ids": ["1", "2", "3", "4", "5"]},
        {"status": "x", "in_reply_to_id": "12345"},
        {"status": "x", "spoiler_text": "cw"},
        {"status": "x", "poll": {"options": ["a", "b"]}},
    ]
    for body in bodies:
        response = a.write.post("/api/v1/statuses", body, format="json")
        assert 400 <= response.status_code < 500, (body, response.content)
        assert isinstance(response.json()["error"], str), (body, response.content)
    assert a.read.get("/api/v1/timelines/home", {"limit": "abc"}).status_code == 422
    assert a.read.get("/api/v1/accounts/123").json() == {"error": "Record not found"}
    assert a.read.get("/api/v1/nowhere").json() == {"error": "Record not found"}
    anonymous = a.read.__class__()
    assert anonymous.get("/api/v1/timelines/home").status_code == 401


def test_account_pages_filters_and_relationships(session_for: Any, outbox: Events) -> None:
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    a, b = session_for(alice), session_for(bob)
    original = a.post("mine #tag")
    thread = a.post("reply to myself", in_reply_to_id=original["id"])
    answer = b.post("@alice a reply to someone else", in_reply_to_id=original["id"])
    b.write.post(f"/api/v1/statuses/{original['id']}/reblog")
    b.write.post(f"/api/v1/accounts/{alice.pk}/follow")
    b.write.post(f"/api/v1/accounts/{alice.pk}/mute")
    outbox.deliver()
    every = a.read.get(f"/api/v1/accounts/{alice.pk}/statuses").json()
    assert [s["id"] for s in every] == [thread["id"], original["id"]]
    bobs = a.read.get(f"/api/v1/accounts/{bob.pk}/statuses").json()
    assert [(s["id"], s["reblog"] and s["reblog"]["id"]) for s in bobs][1:] == [(answer["id"], None)]
    assert bobs[0]["reblog"]["id"] == original["id"]
    # exclude_replies keeps self-threads, as Mastodon's does (Status.without_replies)
    no_replies = a.read.get(f"/api/v1/accounts/{bob.pk}/statuses", {"exclude_replies": "true"}).json()
    assert [s["reblog"]["id"] for s in no_replies] == [original["id"]]
    threads = a.read.get(f"/api/v1/accounts/{alice.pk}/statuses", {"exclude_replies": "true"}).json()
    assert [s["id"] for s in threads] == [thread["id"], original["id"]]
    own = a.read.get(f"/api/v1/accounts/{bob.pk}/statuses", {"exclude_reblogs": "true"}).json()
    assert [s["id"] for s in own] == [answer["id"]]
    assert a.read.get(f"/api/v1/accounts/{alice.pk}/statuses", {"only_media": "true"}).json() == []
    looked_up = a.read.get("/api/v1/accounts/lookup", {"acct": "@bob"}).json()
    assert looked_up["id"] == str(bob.pk)
    relation = b.read.get("/api/v1/accounts/relationships", {"id[]": [str(alice.pk)]}).json()
    assert relation[0]["following"] is True
    assert relation[0]["muting"] is True
    assert relation[0]["followed_by"] is False
    followers = a.read.get(f"/api/v1/accounts/{alice.pk}/followers").json()
    assert [x["username"] for x in followers] == ["bob"]
    tagged = a.read.get("/api/v1/timelines/tag/TAG").json()
    assert [s["id"] for s in tagged] == [original["id"]]
    public = a.read.get("/api/v1/timelines/public", {"local": "true"}).json()
    assert original["id"] in [s["id"] for s in public]
    assert all(s["reblog"] is None for s in public)


def test_the_instance_and_the_lists_clients_ask_for_at_start(session_for: Any) -> None:
    a = session_for(UserFactory())
    v2 = a.read.get("/api/v2/instance").json()
    assert v2["configuration"]["statuses"]["max_characters"] == 280
    assert v2["configuration"]["statuses"]["max_media_attachments"] == 4
    assert v2["version"].startswith("4.3.0 (compatible; twitter")
    v1 = a.read.get("/api/v1/instance").json()
    assert v1["uri"] == "testserver"
    assert v1["stats"]["user_count"] >= 1
    for name in ("custom_emojis", "filters", "lists", "announcements", "followed_tags"):
        assert a.read.get(f"/api/v1/{name}").json() == [], name
    assert a.read.get("/api/v1/preferences").json()["posting:default:visibility"] == "public"
    me = a.write.patch(
        "/api/v1/accounts/update_credentials", {"display_name": "Al", "note": "hi\nthere"}, format="json"
    )
    assert me.status_code == 200
    assert me.json()["display_name"] == "Al"
    assert me.json()["note"] == "<p>hi<br />there</p>"
    assert me.json()["source"]["note"] == "hi\nthere"
