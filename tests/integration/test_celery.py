"""A real Celery worker with embedded beat, through the real broker."""

import time
from pathlib import Path

import pytest

from tests.integration.conftest import start_worker
from twitter import keys
from twitter.redis import get_redis

pytestmark = pytest.mark.integration


@pytest.mark.django_db(transaction=True)
def test_beat_schedules_the_heartbeat_and_a_worker_runs_it(tmp_path: Path) -> None:
    worker = start_worker(tmp_path, HEARTBEAT_INTERVAL_SECONDS="0.5")
    try:
        beats: list[float] = []
        deadline = time.monotonic() + 60
        while len(beats) < 2 and time.monotonic() < deadline:
            value = get_redis().get(keys.beat_heartbeat())
            if value is not None and float(value) not in beats:
                beats.append(float(value))
            assert worker.alive(), worker.tail()
            time.sleep(0.1)
        assert len(beats) == 2, worker.tail()
        assert beats[1] > beats[0]
    finally:
        worker.stop()
