"""Direct messages through both APIs (in process): who may start a conversation, what a
participant sees, unread counts, leaving, deleting, reporting; and what nobody else sees."""

from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from apps.messages.models import Report
from tests.conftest import Api, Events
from tests.factories import UserFactory
from twitter.event_types import MessageCreated


@pytest.fixture
def ann(api_for: Any) -> Api:
    return api_for(UserFactory(username="ann"))


@pytest.fixture
def ben(api_for: Any, ann: Api) -> Api:
    """ben follows ann, so ann may write to him (his dm_policy is the default "following")."""
    ben = api_for(UserFactory(username="ben"))
    ben.follow(ann.user)
    return ben


def _start(api: Api, *others: Api, status: int = 201) -> dict[str, Any]:
    response = api.write.post(
        "/api/v1/conversations", {"participant_ids": [str(o.user.pk) for o in others]}, format="json"
    )
    assert response.status_code == status, response.content
    return dict(response.json())


def _send(api: Api, conversation: str, text: str) -> dict[str, Any]:
    response = api.write.post(f"/api/v1/conversations/{conversation}/messages", {"text": text}, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def _messages(api: Api, conversation: str, **params: Any) -> list[str]:
    response = api.read.get(f"/api/v1/conversations/{conversation}/messages", params)
    assert response.status_code == 200, response.content
    return [message["text"] for message in response.json()]


def test_a_conversation_of_two_is_started_once(ann: Api, ben: Api) -> None:
    created = _start(ann, ben)
    assert {p["username"] for p in created["participants"]} == {"ann", "ben"}
    assert set(created["participants"][0]) == {"id", "username", "display_name", "avatar_url"}
    assert (created["last_message"], created["unread_count"]) == (None, 0)
    again = _start(ann, ben, status=200)
    assert again["id"] == created["id"]
    ann.follow(ben.user)
    assert _start(ben, ann, status=200)["id"] == created["id"]  # the same pair, either way


def test_dm_policy_decides_who_may_start_a_conversation(ann: Api, api_for: Any) -> None:
    cat = api_for(UserFactory(username="cat"))  # cat does not follow ann
    refused = ann.write.post("/api/v1/conversations", {"participant_ids": [str(cat.user.pk)]}, format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "dm_not_allowed")
    assert cat.read.get("/api/v1/users/me").json()["dm_policy"] == "following"
    bad = cat.write.patch("/api/v1/users/me", {"dm_policy": "anyone"}, format="json")
    assert bad.status_code == 400
    assert "dm_policy" in bad.json()["error"]["fields"]
    changed = cat.write.patch("/api/v1/users/me", {"dm_policy": "everyone"}, format="json")
    assert (changed.status_code, changed.json()["dm_policy"]) == (200, "everyone")
    _start(ann, cat)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"participant_ids": []}, 400),
        ({"participant_ids": "12"}, 400),
        ({"participant_ids": ["abc"]}, 400),
        ({"participant_ids": [True]}, 400),
        ({"participant_ids": ["999999999"]}, 404),
        ({"participant_ids": ["1"], "extra": 1}, 400),
    ],
)
def test_bad_conversation_requests_are_4xx_and_create_nothing(ann: Api, body: Any, status: int) -> None:
    response = ann.write.post("/api/v1/conversations", body, format="json")
    assert response.status_code == status, response.content
    assert ann.read.get("/api/v1/conversations").json() == []


def test_only_oneself_or_too_many_is_refused(ann: Api, settings: Any, api_for: Any) -> None:
    alone = ann.write.post("/api/v1/conversations", {"participant_ids": [str(ann.user.pk)]}, format="json")
    assert alone.status_code == 400
    settings.DM_GROUP_MAX_PARTICIPANTS = 3
    others = [api_for(UserFactory()) for _ in range(3)]
    for other in others:
        other.write.patch("/api/v1/users/me", {"dm_policy": "everyone"}, format="json")
    crowd = ann.write.post(
        "/api/v1/conversations", {"participant_ids": [str(o.user.pk) for o in others]}, format="json"
    )
    assert crowd.status_code == 400
    group = _start(ann, *others[:2])
    assert len(group["participants"]) == 3
    assert _start(ann, *others[:2])["id"] != group["id"]  # a group is new every time


def test_messages_unread_counts_and_the_list_order(ann: Api, ben: Api, api_for: Any, outbox: Events) -> None:
    first = _start(ann, ben)["id"]
    cat = api_for(UserFactory(username="cat"))
    cat.write.patch("/api/v1/users/me", {"dm_policy": "everyone"}, format="json")
    second = _start(ann, cat)["id"]
    hello = _send(ann, first, "hello ben")
    assert set(hello) == {"id", "conversation_id", "sender", "text", "media", "created_at"}
    assert (hello["conversation_id"], hello["sender"]["username"]) == (first, "ann")
    _send(ann, second, "hello cat")
    _send(ann, first, "are you there?")
    listed = ann.read.get("/api/v1/conversations").json()
    assert [c["id"] for c in listed] == [first, second]  # most recent activity first
    assert listed[0]["last_message"]["text"] == "are you there?"
    assert listed[0]["unread_count"] == 0  # one's own messages are read

    mine = ben.read.get("/api/v1/conversations").json()
    assert [(c["id"], c["unread_count"]) for c in mine] == [(first, 2)]
    assert ben.read.get("/api/v1/conversations/unread_count").json() == {"count": 2}
    assert _messages(ben, first) == ["are you there?", "hello ben"]
    marker = ben.write.post(f"/api/v1/conversations/{first}/read", {"last_read_id": hello["id"]}, format="json")
    assert marker.json() == {"last_read_id": hello["id"], "unread_count": 1}
    back = ben.write.post(f"/api/v1/conversations/{first}/read", {"last_read_id": "1"}, format="json")
    assert back.json()["unread_count"] == 1  # a marker never moves back
    _send(ben, first, "yes")
    assert ben.read.get("/api/v1/conversations/unread_count").json() == {"count": 0}  # replying reads
    assert ann.read.get("/api/v1/conversations/unread_count").json() == {"count": 1}
    sent = [MessageCreated.from_payload(p) for p in outbox.published("message.created")]
    assert [(e.sender_id, sorted(e.participant_ids)) for e in sent][-1] == (
        ben.user.pk,
        sorted([ann.user.pk, ben.user.pk]),
    )


def test_messages_are_paged_newest_first(ann: Api, ben: Api) -> None:
    conversation = _start(ann, ben)["id"]
    for n in range(5):
        _send(ann, conversation, f"m{n}")
    response = ben.read.get(f"/api/v1/conversations/{conversation}/messages", {"limit": 2})
    assert [m["text"] for m in response.json()] == ["m4", "m3"]
    assert 'rel="next"' in response["Link"]
    older = response.json()[-1]["id"]
    assert _messages(ben, conversation, max_id=older, limit=2) == ["m2", "m1"]
    bad = ben.read.get(f"/api/v1/conversations/{conversation}/messages", {"limit": "x"})
    assert bad.status_code == 400


@pytest.mark.parametrize("text", ["", "   ", None, 5, "\x00", "x" * 10_001])
def test_a_bad_message_is_a_4xx_and_saves_nothing(ann: Api, ben: Api, text: Any) -> None:
    conversation = _start(ann, ben)["id"]
    response = ann.write.post(f"/api/v1/conversations/{conversation}/messages", {"text": text}, format="json")
    assert response.status_code == 400, response.content
    assert _messages(ann, conversation) == []


def test_a_message_of_10000_characters_is_kept_whole(ann: Api, ben: Api) -> None:
    conversation = _start(ann, ben)["id"]
    text = "é" * 10_000
    assert _send(ann, conversation, text)["text"] == text


def test_deleting_is_for_ones_own_messages_and_for_everyone(ann: Api, ben: Api) -> None:
    conversation = _start(ann, ben)["id"]
    kept = _send(ann, conversation, "kept")
    gone = _send(ann, conversation, "gone")
    refused = ben.write.delete(f"/api/v1/conversations/{conversation}/messages/{gone['id']}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_your_message")
    assert ann.write.delete(f"/api/v1/conversations/{conversation}/messages/{gone['id']}").status_code == 204
    again = ann.write.delete(f"/api/v1/conversations/{conversation}/messages/{gone['id']}")
    assert again.status_code == 404
    assert _messages(ben, conversation) == ["kept"]
    seen = ben.read.get(f"/api/v1/conversations/{conversation}").json()
    assert (seen["last_message"]["id"], seen["unread_count"]) == (kept["id"], 1)


def test_leaving_hides_a_conversation_of_two_until_a_new_message(ann: Api, ben: Api) -> None:
    conversation = _start(ann, ben)["id"]
    _send(ann, conversation, "one")
    assert ben.write.delete(f"/api/v1/conversations/{conversation}").status_code == 204
    assert ben.read.get("/api/v1/conversations").json() == []
    assert ben.read.get("/api/v1/conversations/unread_count").json() == {"count": 0}
    _send(ann, conversation, "two")
    assert [c["id"] for c in ben.read.get("/api/v1/conversations").json()] == [conversation]


def test_leaving_a_group_ends_access_to_it(ann: Api, ben: Api, api_for: Any) -> None:
    cat = api_for(UserFactory())
    cat.follow(ann.user)
    group = _start(ann, ben, cat)["id"]
    assert cat.write.delete(f"/api/v1/conversations/{group}").status_code == 204
    assert cat.read.get(f"/api/v1/conversations/{group}").status_code == 404
    assert len(ann.read.get(f"/api/v1/conversations/{group}").json()["participants"]) == 2


def test_a_report_shows_the_reported_text_to_moderators(ann: Api, ben: Api) -> None:
    conversation = _start(ann, ben)["id"]
    bad = _send(ann, conversation, "something nasty")
    own = ann.write.post(
        f"/api/v1/conversations/{conversation}/messages/{bad['id']}/report", {"reason": "abuse"}, format="json"
    )
    assert own.status_code == 400
    invalid = ben.write.post(
        f"/api/v1/conversations/{conversation}/messages/{bad['id']}/report", {"reason": "meh"}, format="json"
    )
    assert invalid.status_code == 400
    control = ben.write.post(
        f"/api/v1/conversations/{conversation}/messages/{bad['id']}/report",
        {"reason": "abuse", "comment": "\x00"},
        format="json",
    )
    assert control.status_code == 400
    assert not Report.objects.exists()
    for _ in range(2):
        reported = ben.write.post(
            f"/api/v1/conversations/{conversation}/messages/{bad['id']}/report", {"reason": "abuse"}, format="json"
        )
        assert reported.status_code == 201
    report = Report.objects.get()
    assert (report.text, report.sender_id, report.reporter_id) == ("something nasty", ann.user.pk, ben.user.pk)


def test_the_admin_shows_conversations_without_their_texts(ann: Api, ben: Api, admin_client: Any) -> None:
    conversation = _start(ann, ben)["id"]
    _send(ann, conversation, "a private word")
    page = admin_client.get(f"/admin/direct_messages/conversation/{conversation}/change/")
    assert page.status_code == 200
    assert b"a private word" not in page.content
    message = _send(ann, conversation, "reported word")
    ben.write.post(
        f"/api/v1/conversations/{conversation}/messages/{message['id']}/report", {"reason": "spam"}, format="json"
    )
    queue = admin_client.get("/admin/direct_messages/report/")
    assert queue.status_code == 200
    report = Report.objects.get()
    detail = admin_client.get(f"/admin/direct_messages/report/{report.pk}/change/")
    assert b"reported word" in detail.content


def test_a_page_is_one_range_scan_and_the_list_reads_no_message_range(ann: Api, ben: Api) -> None:
    conversation = _start(ann, ben)["id"]
    for n in range(3):
        _send(ann, conversation, f"m{n}")
    with CaptureQueriesContext(connections["replica"]) as replica, CaptureQueriesContext(connection) as primary:
        ben.read.get("/api/v1/conversations")
    # A set: in tests the replica alias may mirror the primary's connection (seen twice).
    captured = {q["sql"] for q in [*replica.captured_queries, *primary.captured_queries]}
    message_queries = [sql for sql in captured if "direct_messages_message" in sql]
    assert len(message_queries) == 1, message_queries
    assert '"direct_messages_message"."id" IN' in message_queries[0]  # by primary key only
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny table: ask whether the index serves it
        cursor.execute(
            "EXPLAIN SELECT * FROM direct_messages_message WHERE conversation_id = %s AND id < %s"
            " ORDER BY id DESC LIMIT 20",
            [int(conversation), 2**62],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "dm_message_page_idx" in plan, plan
    assert "Sort" not in plan, plan
