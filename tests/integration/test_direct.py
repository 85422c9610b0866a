"""Direct messages through the gateway, the real worker and the streaming process: a
message reaches the other participant's stream within a second, a resuming stream gets
what it missed, a deletion is streamed, and nobody else learns anything (404)."""

import time
from typing import Any

import pytest
import requests

from tests.factories import UserFactory
from tests.integration.test_engagement import EventStream, auth, worker  # noqa: F401  # the worker fixture

pytestmark = [pytest.mark.integration, pytest.mark.replica]


def _send(base: str, user: Any, conversation: str, text: str) -> str:
    response = requests.post(
        f"{base}/api/v1/conversations/{conversation}/messages", json={"text": text}, headers=auth(user), timeout=10
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.usefixtures("worker")
def test_a_message_reaches_the_recipients_stream_and_nobody_else_sees_anything(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    alice, bob, eve = UserFactory(username="alice"), UserFactory(username="bob"), UserFactory(username="eve")
    # bob lets alice write to him: he follows her (the default dm_policy is "following").
    assert requests.post(f"{base}/api/v1/users/{alice.pk}/follow", headers=auth(bob), timeout=10).ok
    started = requests.post(
        f"{base}/api/v1/conversations", json={"participant_ids": [str(bob.pk)]}, headers=auth(alice), timeout=10
    )
    assert started.status_code == 201, started.text
    conversation = started.json()["id"]

    stream = EventStream(f"{base}/api/v1/streaming/direct", auth(bob))
    sent_at = time.monotonic()
    first = _send(base, alice, conversation, "hello bob")
    event = stream.next(timeout=10)
    delivered_in = time.monotonic() - sent_at
    assert (event["event"], event["id"]) == ("message", first)
    assert '"text":"hello bob"' in event["data"]
    assert '"username":"alice"' in event["data"]
    assert delivered_in < 1.0, f"delivered after {delivered_in:.2f}s"
    stream.close()

    missed = [_send(base, alice, conversation, f"while away {i}") for i in range(3)]
    resumed = EventStream(f"{base}/api/v1/streaming/direct", {**auth(bob), "Last-Event-ID": first})
    assert [resumed.next()["id"] for _ in missed] == missed
    deleted = requests.delete(
        f"{base}/api/v1/conversations/{conversation}/messages/{missed[-1]}", headers=auth(alice), timeout=10
    )
    assert deleted.status_code == 204
    gone = resumed.next()
    assert gone["event"] == "message_deleted"
    assert missed[-1] in gone["data"]
    assert conversation in gone["data"]
    resumed.close()

    unread = requests.get(f"{base}/api/v1/conversations/unread_count", headers=auth(bob), timeout=10)
    assert unread.json() == {"count": 3}  # four sent, one deleted

    # eve is in no conversation: every URL of this one is a 404 to her, as for one that
    # does not exist.
    urls = [
        ("GET", f"/api/v1/conversations/{conversation}", None),
        ("GET", f"/api/v1/conversations/{conversation}/messages", None),
        ("POST", f"/api/v1/conversations/{conversation}/messages", {"text": "let me in"}),
        ("POST", f"/api/v1/conversations/{conversation}/read", {"last_read_id": first}),
        ("DELETE", f"/api/v1/conversations/{conversation}", None),
        ("DELETE", f"/api/v1/conversations/{conversation}/messages/{first}", None),
        ("POST", f"/api/v1/conversations/{conversation}/messages/{first}/report", {"reason": "spam"}),
    ]
    for method, path, body in urls:
        response = requests.request(method, f"{base}{path}", json=body, headers=auth(eve), timeout=10)
        assert (response.status_code, response.json()["error"]["code"]) == (404, "conversation_not_found"), path
    listed = requests.get(f"{base}/api/v1/conversations", headers=auth(eve), timeout=10)
    assert listed.json() == []
    # Her stream, resumed from the beginning of time, carries nothing of it: the first
    # event she gets is the message alice then sends her in a conversation of their own.
    eves = EventStream(f"{base}/api/v1/streaming/direct", {**auth(eve), "Last-Event-ID": "1"})
    _send(base, alice, conversation, "not for eve")
    assert requests.patch(f"{base}/api/v1/users/me", json={"dm_policy": "everyone"}, headers=auth(eve), timeout=10).ok
    theirs = requests.post(
        f"{base}/api/v1/conversations", json={"participant_ids": [str(eve.pk)]}, headers=auth(alice), timeout=10
    )
    assert theirs.status_code == 201, theirs.text
    for_eve = _send(base, alice, theirs.json()["id"], "for eve")
    assert eves.next()["id"] == for_eve
    eves.close()
