"""Real processes for integration tests: API servers under granian, nginx, Celery."""

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connections

from devstack import nginx
from devstack.procs import Process, free_port, granian_argv, wait_until

ROOT = Path(__file__).resolve().parents[2]


def database_url(alias: str) -> str:
    """URL of the test database as seen through `alias` (primary or replica)."""
    db = connections[alias].settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def process_env(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url("default"),
        "REPLICA_DATABASE_URL": database_url("replica"),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PYTHONPATH": str(ROOT),
        # The keys this test run signs with, so tokens made in tests verify everywhere.
        "SECRET_KEY": settings.SECRET_KEY,
        "JWT_SIGNING_KEY": settings.JWT_SIGNING_KEY,
        "RATE_LIMIT_SCALE": str(settings.RATE_LIMIT_SCALE),
        # Streams notice a gone client when they next write: heartbeats often, in tests.
        "STREAMING_HEARTBEAT_SECONDS": "2",
        **overrides,
    }


def start_api(role: str, log_dir: Path, *, workers: int = 1, **env: str) -> tuple[Process, int]:
    port = free_port()
    module = {
        "write-api": "config.settings.write",
        "read-api": "config.settings.read",
        "streaming": "config.settings.streaming",
    }[role]
    if role == "streaming":
        argv = granian_argv("config.asgi:application", port, workers=1, threads=1, interface="asgi")
    else:
        argv = granian_argv("config.wsgi:application", port, workers=workers, threads=4)
    process = Process(
        role, argv, log_path=log_dir / f"{role}.log", cwd=ROOT, env=process_env(DJANGO_SETTINGS_MODULE=module, **env)
    )
    process.wait_for_port(port)
    return process, port


def wait_for_replica(timeout: float = 10.0) -> None:
    """Block until the replica has replayed everything the primary has written so far.

    The target is the WAL insert position, not the write position: with
    synchronous_commit off (the test cluster's setting) a commit returns before its
    record is written, so the write position can still be behind it."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (target,) = cursor.fetchone()
    with psycopg.connect(database_url("replica").replace("postgres://", "postgresql://")) as replica:
        for _ in range(int(timeout / 0.01)):
            row = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()
            if row and row[0]:
                return
            time.sleep(0.01)
    raise TimeoutError("the replica did not catch up")


@pytest.fixture
def stack(tmp_path: Path, transactional_db: None) -> Iterator[dict[str, Any]]:
    """write-API + read-API (WSGI) and streaming (ASGI) under granian behind the real nginx
    gateway."""
    started: list[Process] = []
    try:
        write, write_port = start_api("write-api", tmp_path)
        started.append(write)
        read, read_port = start_api("read-api", tmp_path)
        started.append(read)
        streaming, streaming_port = start_api("streaming", tmp_path)
        started.append(streaming)
        gateway_port, mastodon_port = free_port(), free_port()
        gateway = nginx.start(
            tmp_path / "nginx",
            gateway_port=gateway_port,
            mastodon_port=mastodon_port,
            write_addr=f"127.0.0.1:{write_port}",
            read_addr=f"127.0.0.1:{read_port}",
            streaming_addr=f"127.0.0.1:{streaming_port}",
        )
        started.append(gateway)
        yield {
            "gateway": f"http://127.0.0.1:{gateway_port}",
            "mastodon": f"http://127.0.0.1:{mastodon_port}",
            "write": f"http://127.0.0.1:{write_port}",
            "read": f"http://127.0.0.1:{read_port}",
            "streaming": f"http://127.0.0.1:{streaming_port}",
            "processes": started,
            "log_dir": tmp_path,
        }
    finally:
        for process in reversed(started):
            process.stop()


def start_worker(log_dir: Path, name: str = "worker", **env: str) -> Process:
    """A real Celery worker (with beat) on the test database, through the real broker."""
    celery = str(Path(sys.executable).parent / "celery")
    worker = Process(
        name,
        [
            celery,
            "-A",
            "config",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=2",
            "--schedule",
            str(log_dir / f"{name}-beat-schedule"),
            "--hostname",
            f"{name}@%h",
        ],
        log_path=log_dir / f"{name}.log",
        cwd=ROOT,
        env=process_env(DJANGO_SETTINGS_MODULE="config.settings.worker", **env),
    )
    deadline = time.monotonic() + 60
    while "ready" not in worker.tail(200):
        assert worker.alive(), worker.tail()
        assert time.monotonic() < deadline, worker.tail()
        time.sleep(0.1)
    return worker


def log_lines(path: Path) -> list[dict[str, Any]]:
    """A process's log, one JSON object per line (lines that are not JSON, such as a
    library printing to stderr, are left out)."""
    found = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                found.append(json.loads(line))
    return found


def eventually(check: Any, timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll `check()` until it returns something truthy; a test failure when it does not."""
    try:
        return wait_until(check, timeout, what, interval=0.05)
    except TimeoutError as exc:
        raise AssertionError(str(exc)) from None
