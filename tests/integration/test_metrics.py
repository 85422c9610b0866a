"""Business metrics from outside: each role's /metrics, with two granian workers per API
and a Celery pool of two, adding up across processes (multiprocess mode), and moving with
what users do."""

from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from devstack.procs import Process, free_port
from tests.factories import PASSWORD, UserFactory
from tests.integration.conftest import eventually, start_api, start_worker
from tests.integration.test_engagement import auth

pytestmark = [pytest.mark.integration, pytest.mark.replica]


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page: (name, sorted labels) -> value."""
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    """The sum of a series over the labels not given (and over the processes: the `pid`
    label multiprocess mode adds to some gauges)."""
    wanted = set(labels.items())
    return sum(value for (found, pairs), value in samples.items() if found == name and wanted <= set(pairs))


def test_each_role_exports_business_metrics_that_add_up_across_its_processes(
    tmp_path: Path, transactional_db: None
) -> None:
    started: list[Process] = []
    dirs = {role: tmp_path / f"metrics-{role}" for role in ("write-api", "read-api", "streaming", "worker")}
    for directory in dirs.values():
        directory.mkdir()
    try:
        write, write_port = start_api(
            "write-api",
            tmp_path,
            workers=2,
            PROMETHEUS_MULTIPROC_DIR=str(dirs["write-api"]),
            RATE_LIMIT_SCALE="1",
            RATE_LIMIT_LOGIN_ACCOUNT="2/3600",
        )
        started.append(write)
        read, read_port = start_api("read-api", tmp_path, workers=2, PROMETHEUS_MULTIPROC_DIR=str(dirs["read-api"]))
        started.append(read)
        streaming, streaming_port = start_api("streaming", tmp_path, PROMETHEUS_MULTIPROC_DIR=str(dirs["streaming"]))
        started.append(streaming)
        worker_port = free_port()
        started.append(
            start_worker(tmp_path, WORKER_METRICS_PORT=str(worker_port), PROMETHEUS_MULTIPROC_DIR=str(dirs["worker"]))
        )
        writes, reads = f"http://127.0.0.1:{write_port}", f"http://127.0.0.1:{read_port}"
        author, reader = UserFactory(), UserFactory()
        assert requests.post(f"{writes}/api/v1/users/{author.pk}/follow", headers=auth(reader), timeout=10).ok
        home_reads = 0

        def home() -> list[str]:
            nonlocal home_reads
            home_reads += 1
            response = requests.get(f"{reads}/api/v1/timelines/home", headers=auth(reader), timeout=10)
            assert response.status_code == 200, response.text
            return [tweet["id"] for tweet in response.json()]

        home()  # the reader is active: the fan-out writes to their list
        posted = requests.post(f"{writes}/api/v1/tweets", json={"text": "counted"}, headers=auth(author), timeout=10)
        assert posted.status_code == 201, posted.text
        eventually(lambda: home() == [posted.json()["id"]], what="the tweet in the reader's home")
        for _ in range(10):
            home()

        served = scrape(f"{reads}/metrics")
        assert total(served, "twitter_timeline_reads_total", timeline="home") == home_reads
        assert total(served, "twitter_timeline_reads_total", timeline="home", source="cache") >= 10
        assert total(served, "twitter_timeline_rebuilds_total", timeline="home") >= 1

        streams = f"http://127.0.0.1:{streaming_port}"
        with requests.get(f"{streams}/api/v1/streaming/home", headers=auth(reader), stream=True, timeout=10) as open_:
            assert open_.status_code == 200
            eventually(
                lambda: total(scrape(f"{streams}/metrics"), "twitter_open_streams") == 1, what="the open stream counted"
            )
        eventually(lambda: total(scrape(f"{streams}/metrics"), "twitter_open_streams") == 0, what="the stream gone")

        login = {"username": author.username, "password": "not " + PASSWORD}
        codes = [requests.post(f"{writes}/api/v1/auth/token", json=login, timeout=10).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        assert total(scrape(f"{writes}/metrics"), "twitter_rate_limited_total", bucket="login_account") == 1

        def worker_samples() -> Any:
            samples = scrape(f"http://127.0.0.1:{worker_port}/metrics")
            done = total(
                samples,
                "twitter_task_duration_seconds_count",
                task="apps.timelines.tasks.tweet_created_task",
                state="SUCCESS",
            )
            return samples if done >= 1 else None

        samples = eventually(worker_samples, what="the fan-out task in the worker's metrics")
        assert total(samples, "twitter_fanout_entries_total") >= 1
        assert total(samples, "twitter_fanout_delivery_lag_seconds_count") >= 1
        for source in ("database", "broker", "replica"):
            assert total(samples, "twitter_source_up", source=source) == 1, source
        for name in ("twitter_outbox_pending_events", "twitter_outbox_oldest_unconfirmed_age_seconds"):
            assert any(found == name for found, _ in samples), name
        assert any(name == "twitter_celery_queue_depth" and ("queue", "fanout") in labels for name, labels in samples)
        assert any(name == "twitter_replica_lag_seconds" for name, _ in samples)
        assert total(samples, "twitter_dead_letters") == 0
    finally:
        for process in reversed(started):
            process.stop()
