"""Engagement end to end: through the gateway, a real Celery worker and the streaming
process (Server-Sent Events under granian's ASGI server)."""

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from rest_framework_simplejwt.tokens import AccessToken

from apps.users.models import User
from devstack.procs import Process
from tests.factories import UserFactory
from tests.integration.conftest import eventually, start_worker

pytestmark = [pytest.mark.integration, pytest.mark.replica]


@pytest.fixture
def worker(tmp_path: Path, stack: dict[str, Any]) -> Iterator[Process]:
    process = start_worker(tmp_path / "worker")
    try:
        yield process
    finally:
        process.stop()


def auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {AccessToken.for_user(user)}"}


def notifications(base: str, user: User) -> list[tuple[str, list[str]]]:
    response = requests.get(f"{base}/api/v1/notifications", headers=auth(user), timeout=10)
    assert response.status_code == 200, response.text
    return [(n["type"], [a["username"] for a in n["actors"]]) for n in response.json()]


def test_notifications_come_from_the_worker_and_go_when_undone(
    stack: dict[str, Any], worker: Process, tmp_path: Path
) -> None:
    base = stack["gateway"]
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    tweet = requests.post(f"{base}/api/v1/tweets", json={"text": "hi"}, headers=auth(alice), timeout=10).json()
    assert requests.post(f"{base}/api/v1/users/{alice.pk}/follow", headers=auth(bob), timeout=10).ok
    assert requests.post(f"{base}/api/v1/tweets/{tweet['id']}/like", headers=auth(bob), timeout=10).ok
    assert requests.post(f"{base}/api/v1/tweets/{tweet['id']}/like", headers=auth(alice), timeout=10).ok
    # each is written by its own consumer, in whichever order the worker's two processes
    # finish them: the listing is newest first by that order
    eventually(
        lambda: sorted(notifications(base, alice)) == [("follow", ["bob"]), ("like", ["bob"])],
        what="follow and like notifications",
    )
    assert requests.delete(f"{base}/api/v1/tweets/{tweet['id']}/like", headers=auth(bob), timeout=10).ok
    eventually(lambda: notifications(base, alice) == [("follow", ["bob"])], what="the like notification removed")
    assert notifications(base, bob) == []


class EventStream:
    """A Server-Sent Events client reading in a thread: events arrive on a queue."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.response = requests.get(url, headers=headers, stream=True, timeout=(5, 60))
        assert self.response.status_code == 200, self.response.text
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.events: queue.Queue[dict[str, str]] = queue.Queue()
        self.closing = False
        self.connected = threading.Event()  # the server subscribed: live events now reach us
        threading.Thread(target=self._read, daemon=True).start()
        assert self.connected.wait(20), "the stream never said it was connected"

    def _read(self) -> None:
        event: dict[str, str] = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line == "":
                    if "data" in event:
                        self.events.put(event)
                    event = {}
                elif line == ": connected":
                    self.connected.set()
                elif not line.startswith(":"):
                    field, _, value = line.partition(": ")
                    event[field] = value
        except Exception:
            if not self.closing:
                raise
            # the test closed the stream under the reader

    def next(self, timeout: float = 20.0) -> dict[str, str]:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        self.closing = True
        self.response.close()


def tweet(base: str, user: User, text: str) -> str:
    response = requests.post(f"{base}/api/v1/tweets", json={"text": text}, headers=auth(user), timeout=10)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_home_stream_delivers_live_and_resumes_without_gaps(stack: dict[str, Any], worker: Process) -> None:
    base = stack["gateway"]
    reader, author = UserFactory(username="reader"), UserFactory(username="author")
    assert requests.post(f"{base}/api/v1/users/{author.pk}/follow", headers=auth(reader), timeout=10).ok
    url = f"{base}/api/v1/streaming/home"
    assert requests.get(url, timeout=10).status_code == 401

    stream = EventStream(url, auth(reader))
    first = tweet(base, author, "live one")
    event = stream.next()
    assert (event["event"], event["id"]) == ("update", first)
    assert '"text":"live one"' in event["data"]
    stream.close()

    missed = [tweet(base, author, f"while away {i}") for i in range(3)]
    resumed = EventStream(url, {**auth(reader), "Last-Event-ID": first})
    assert [resumed.next()["id"] for _ in missed] == missed
    after = tweet(base, author, "after resuming")
    assert resumed.next()["id"] == after
    deleted = requests.delete(f"{base}/api/v1/tweets/{after}", headers=auth(author), timeout=10)
    assert deleted.status_code == 204
    gone = resumed.next()
    assert gone["event"] == "delete"
    assert after in gone["data"]
    resumed.close()


def test_notification_stream_delivers_new_notifications(stack: dict[str, Any], worker: Process) -> None:
    base = stack["gateway"]
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    stream = EventStream(f"{base}/api/v1/streaming/notifications", auth(alice))
    assert requests.post(f"{base}/api/v1/users/{alice.pk}/follow", headers=auth(bob), timeout=10).ok
    event = stream.next()
    assert event["event"] == "update"
    assert '"type":"follow"' in event["data"]
    assert '"username":"bob"' in event["data"]
    stream.close()
