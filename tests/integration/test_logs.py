"""One request id finds a tweet's story in the logs: the gateway's X-Request-ID is on the
write-API's request line, on the outbox event, and on the lines of the worker's tasks it
caused (the fan-out), all of them JSON objects, one per line."""

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.factories import UserFactory
from tests.integration.conftest import eventually, log_lines
from tests.integration.test_engagement import auth, worker  # noqa: F401  # the worker fixture

pytestmark = [pytest.mark.integration, pytest.mark.replica]


@pytest.mark.usefixtures("worker")
def test_a_request_id_follows_a_tweet_from_the_gateway_to_its_fan_out(stack: dict[str, Any], tmp_path: Path) -> None:
    author, reader = UserFactory(), UserFactory()
    base = stack["gateway"]
    assert requests.post(f"{base}/api/v1/users/{author.pk}/follow", headers=auth(reader), timeout=10).ok
    posted = requests.post(
        f"{base}/api/v1/tweets",
        json={"text": "a story told in the logs"},
        headers={**auth(author), "X-Request-ID": "story-0001"},
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    assert posted.headers["X-Request-ID"] == "story-0001"

    [line] = [line for line in log_lines(tmp_path / "write-api.log") if line.get("request_id") == "story-0001"]
    assert (line["role"], line["method"], line["route"], line["status"], line["user_id"]) == (
        "write-api",
        "POST",
        "/api/v1/tweets",
        201,
        author.pk,
    )

    def fan_out_lines() -> list[dict[str, Any]]:
        return [
            line
            for line in log_lines(tmp_path / "worker" / "worker.log")
            if line.get("request_id") == "story-0001"
            and line.get("task") == "apps.timelines.tasks.tweet_created_task"
            and line["logger"] == "twitter.tasks.runs"  # the run's own line (its code may log more)
        ]

    [done] = eventually(fan_out_lines, what="the fan-out's line with the request id")
    assert done["role"] == "worker"
    assert done["state"] == "SUCCESS"
    assert isinstance(done["event_id"], int)
    assert done["attempt"] == 1
    assert "story-0001" not in {line.get("request_id") for line in log_lines(tmp_path / "read-api.log")}
