"""`make faults`: the platform under one fault at a time, checked for anything lost.

Starts a platform of its own: a Postgres primary and a streaming replica, a data Redis
and a broker Redis (separate servers, so each fails alone), the write-API, the read-API,
a Celery worker, beat and the nginx gateway. It seeds a graph (one account with many
followers, one celebrity), makes every follower's home active, then runs writers and
readers through the gateway for the whole run (every write carries an Idempotency-Key and
is retried with it when its answer is lost) while it injects, one after the other:

1. broker: a backlog held in the broker (the worker stops consuming), then
   `SHUTDOWN NOSAVE` and a restart, empty;
2. data Redis: stopped, then restarted empty;
3. replica: replay paused while followees post, the readers' lists dropped, concurrent
   cold reads (each must show the new tweets);
4. primary: stopped, then started again;
5. worker: the whole worker SIGKILLed during big fan-outs, then started again.

After each fault it waits until the outbox is quiet, then checks: every write answered
201 is in Postgres exactly once, `check_timelines` finds no cached home that differs from
the database, nothing is pending or unconfirmed, no dead letter. The report (statuses,
latencies, recovery times per fault; nothing is asserted on time) goes to FAULTS_DIR
(default .data/faults/<timestamp>/): report.md and results.json. Exit status 1 when
anything was lost.
"""

import contextlib
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import psycopg
import redis
import requests

from devstack import nginx
from devstack import redis as redis_server
from devstack.postgres import PrimaryWithReplica, ensure_database
from devstack.procs import Process, free_port, granian_argv, wait_until
from twitter import keys

ROOT = Path(__file__).resolve().parent.parent
USERS, BIG_ACCOUNT, CELEBRITY_FOLLOWERS = 2500, 1200, 2000
WRITERS, READERS, WRITES_PER_SECOND = 2, 2, 10.0


def _ready(process: Process, marker: str, timeout: float = 90) -> None:
    def seen() -> bool:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        return marker in process.tail(300)

    wait_until(seen, timeout, f"{process.name} ready")


class Platform:
    """Every process and service of the run, each stoppable on its own."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.pg = PrimaryWithReplica(work / "pg")
        self.data_port, self.broker_port = free_port(), free_port()
        self.ports = {name: free_port() for name in ("gateway", "write", "read")}
        self.processes: dict[str, Process] = {}
        self.signing_key = secrets.token_urlsafe(48)
        self.env: dict[str, str] = {}

    def start(self) -> None:
        self.pg.start()
        self.processes["data-redis"] = redis_server.start(self.data_port, self.work, "data-redis")
        self.processes["broker-redis"] = redis_server.start(self.broker_port, self.work, "broker-redis")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"{self.pg.primary.url_base}/twitter",
            "REPLICA_DATABASE_URL": f"{self.pg.replica.url_base}/twitter",
            "REDIS_URL": f"redis://127.0.0.1:{self.data_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.broker_port}/0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "JWT_SIGNING_KEY": self.signing_key,
            "DATA_DIR": str(self.work / "data"),
            "PYTHONPATH": str(ROOT),
            "RATE_LIMIT_SCALE": "100",
            "CELEBRITY_FOLLOWERS": str(CELEBRITY_FOLLOWERS),
            "FANOUT_CHUNK_SIZE": "400",
            "OUTBOX_CONFIRM_SECONDS": "10",
            "OUTBOX_SWEEP_INTERVAL_SECONDS": "2",
            "OUTBOX_SWEEP_AGE_SECONDS": "2",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        ensure_database(self.env["DATABASE_URL"])
        self.manage("migrate", "--noinput", quiet=True)
        for role in ("write", "read"):
            self._start_api(role)
        self.start_worker()
        self.processes["beat"] = Process(
            "beat",
            [self._celery(), "-A", "config", "beat", "--loglevel=INFO", "-s", str(self.work / "beat-schedule")],
            log_path=self.work / "beat.log",
            cwd=ROOT,
            env=self.env_for("config.settings.worker"),
        )
        self.processes["gateway"] = nginx.start(
            self.work / "nginx",
            gateway_port=self.ports["gateway"],
            write_addr=f"127.0.0.1:{self.ports['write']}",
            read_addr=f"127.0.0.1:{self.ports['read']}",
            streaming_addr=f"127.0.0.1:{free_port()}",
            limits=nginx.BENCHMARK_LIMITS,  # every client of the run comes from one address
        )

    def env_for(self, settings_module: str) -> dict[str, str]:
        """The run's environment for a process of one role (its Django settings)."""
        return {**self.env, "DJANGO_SETTINGS_MODULE": settings_module}

    def _celery(self) -> str:
        return str(Path(sys.executable).parent / "celery")

    def _start_api(self, role: str) -> None:
        module = {"write": "config.settings.write", "read": "config.settings.read"}[role]
        process = Process(
            f"{role}-api",
            granian_argv("config.wsgi:application", self.ports[role], workers=1, threads=4),
            log_path=self.work / f"{role}-api.log",
            cwd=ROOT,
            env=self.env_for(module),
        )
        process.wait_for_port(self.ports[role], timeout=60)
        self.processes[f"{role}-api"] = process

    def start_worker(self) -> None:
        worker = Process(
            "worker",
            [self._celery(), "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2", "-n", "faults@%h"],
            log_path=self.work / "worker.log",
            cwd=ROOT,
            env=self.env_for("config.settings.worker"),
        )
        self.processes["worker"] = worker
        _ready(worker, "ready.")

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.stop_signal = signal.SIGKILL
        process.stop()

    def celery_control(self, *command: str) -> None:
        """A remote-control command, sent until the worker answers it (it may still be
        reconnecting to the broker)."""

        def answered() -> bool:
            return (
                subprocess.run(
                    [self._celery(), "-A", "config", "control", "-t", "2", *command],
                    cwd=ROOT,
                    env=self.env_for("config.settings.worker"),
                    check=False,
                    capture_output=True,
                ).returncode
                == 0
            )

        wait_until(answered, 90, f"the worker to answer {' '.join(command)}")

    def manage(self, *argv: str, quiet: bool = False) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=ROOT,
            env=self.env_for("config.settings.write"),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")
        return "" if quiet else result.stdout

    def sql(self, query: str, params: Any = None, *, replica: bool = False) -> list[tuple[Any, ...]]:
        cluster = self.pg.replica if replica else self.pg.primary
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{cluster.port}/twitter", autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return list(cursor.fetchall()) if cursor.description else []

    def data_redis(self) -> redis.Redis:
        return redis.Redis(port=self.data_port, socket_timeout=2)

    def restart_redis(self, name: str, port: int) -> None:
        """Stop without saving (whatever it held is gone), start it again empty."""
        with contextlib.suppress(redis.ConnectionError):  # it may go away while answering
            redis.Redis(port=port, socket_timeout=2).shutdown(nosave=True)
        self.processes[name].popen.wait(10)
        self.processes[name].stop()
        self.processes[name] = redis_server.start(port, self.work, name)

    def stop(self) -> None:
        for name in ("gateway", "beat", "worker", "read-api", "write-api", "broker-redis", "data-redis"):
            if name in self.processes:
                self.processes[name].stop()
        self.pg.stop()

    def token(self, user_id: int) -> str:
        now = int(time.time())
        claims = {"token_type": "access", "user_id": user_id, "jti": uuid.uuid4().hex, "iat": now, "exp": now + 3600}
        return jwt.encode(claims, self.signing_key, algorithm="HS256")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}/api/v1"


@dataclass
class Sample:
    kind: str  # "write" or "read"
    at: float
    status: int  # 0: no answer (connection refused, timed out)
    seconds: float


@dataclass
class Load:
    """Writers and readers through the gateway, from start to stop."""

    platform: Platform
    writers: list[int]
    readers: list[int]
    samples: list[Sample] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)  # text -> tweet id, for every 201
    attempted: set[str] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    writing: threading.Event = field(default_factory=threading.Event)  # cleared: writers pause
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self.writing.set()
        for n in range(WRITERS):
            self._threads.append(threading.Thread(target=self._write_loop, args=(n,), daemon=True))
        for n in range(READERS):
            self._threads.append(threading.Thread(target=self._read_loop, args=(n,), daemon=True))
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def _record(self, kind: str, started: float, status: int) -> None:
        with self._lock:
            self.samples.append(Sample(kind, started, status, time.monotonic() - started))

    def _write_loop(self, n: int) -> None:
        rng = random.Random(n)  # noqa: S311 - load shape, not secrets
        session = requests.Session()
        interval = WRITERS / WRITES_PER_SECOND
        count = 0
        while not self._stop.is_set():
            if not self.writing.wait(0.2):
                continue
            author = rng.choice(self.writers)
            text = f"w{n}-{count} from {author}"
            count += 1
            self.attempted.add(text)
            key = str(uuid.uuid4())
            headers = {"Authorization": f"Bearer {self.platform.token(author)}", "Idempotency-Key": key}
            # A write whose answer is lost or refused for now is sent again with its key
            # until it gets an answer that says what happened (as a careful client does).
            for _ in range(60):
                started = time.monotonic()
                try:
                    response = session.post(
                        f"{self.platform.base}/tweets", json={"text": text}, headers=headers, timeout=10
                    )
                    status = response.status_code
                except requests.RequestException:
                    status = 0
                self._record("write", started, status)
                if status == 201:
                    with self._lock:
                        self.written[text] = int(response.json()["id"])
                    break
                if status not in (0, 429, 502, 503, 504):
                    break
                self._stop.wait(0.5)
            self._stop.wait(interval)

    def _read_loop(self, n: int) -> None:
        rng = random.Random(100 + n)  # noqa: S311
        session = requests.Session()
        while not self._stop.is_set():
            reader = rng.choice(self.readers)
            started = time.monotonic()
            try:
                status = session.get(
                    f"{self.platform.base}/timelines/home",
                    headers={"Authorization": f"Bearer {self.platform.token(reader)}"},
                    timeout=10,
                ).status_code
            except requests.RequestException:
                status = 0
            self._record("read", started, status)
            self._stop.wait(0.05)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _window(samples: list[Sample], kind: str, start: float, end: float) -> dict[str, Any]:
    chosen = [s for s in samples if s.kind == kind and start <= s.at <= end]
    seconds = [s.seconds * 1000 for s in chosen]
    return {
        "requests": len(chosen),
        "statuses": dict(sorted(Counter(str(s.status) for s in chosen).items())),
        "p50_ms": round(_percentile(seconds, 0.5), 1),
        "p99_ms": round(_percentile(seconds, 0.99), 1),
        "max_ms": round(max(seconds, default=0.0), 1),
        "error_p50_ms": round(_percentile([s.seconds * 1000 for s in chosen if s.status >= 500], 0.5), 1),
        "error_p99_ms": round(_percentile([s.seconds * 1000 for s in chosen if s.status >= 500], 0.99), 1),
    }


class Run:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.faults: list[dict[str, Any]] = []
        self._load: Load | None = None

    @property
    def load(self) -> Load:
        if self._load is None:
            raise RuntimeError("the load is not running")
        return self._load

    @load.setter
    def load(self, load: Load) -> None:
        self._load = load

    def seed(self) -> tuple[int, list[int], list[int]]:
        p = self.platform
        p.manage(
            "seed", "--users", str(USERS), "--follows", "8", "--tweets", "3000", "--celebrities", "1",
            "--big-account", str(BIG_ACCOUNT), "--prefix", "f",
        )  # fmt: skip
        big = p.sql("SELECT id FROM users_user WHERE followers_count < %s ORDER BY followers_count DESC LIMIT 1",
                    [CELEBRITY_FOLLOWERS])[0][0]  # fmt: skip
        followers = [row[0] for row in p.sql("SELECT follower_id FROM follows_follow WHERE followee_id = %s", [big])]
        others = [row[0] for row in p.sql("SELECT id FROM users_user WHERE id <> %s ORDER BY id LIMIT 12", [big])]
        # Every follower of the big account is active: their home list exists.
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(self._read_home, followers + others))
        return big, followers, others

    def _read_home(self, user_id: int, params: dict[str, str] | None = None) -> list[int]:
        response = requests.get(
            f"{self.platform.base}/timelines/home",
            params=params,
            headers={"Authorization": f"Bearer {self.platform.token(user_id)}"},
            timeout=30,
        )
        response.raise_for_status()
        return [int(tweet["id"]) for tweet in response.json()]

    def quiet(self, timeout: float = 120, *, everything: bool = False) -> float:
        """Until every event written so far is done (each consumer confirmed it: the sweep
        marks that OUTBOX_CONFIRM_SECONDS after publishing); how long that took. Events
        written meanwhile by the running load are not waited for, unless `everything`
        (once the load has stopped): then the events that consumers write themselves (a
        big fan-out's parts, written when its tweet's consumer runs) are waited for too."""
        started = time.monotonic()
        # The newest event waited for: none newer than now, or (everything) any.
        ((until,),) = self.platform.sql("SELECT now()" if not everything else "SELECT now() + interval '1 day'")

        def done() -> bool:
            ((left,),) = self.platform.sql(
                "SELECT count(*) FROM twitter_outboxevent WHERE done_at IS NULL AND created_at <= %s", [until]
            )
            return bool(left == 0)

        try:
            wait_until(done, timeout, "the outbox emptied")
        except TimeoutError as exc:
            left = self.platform.sql(
                "SELECT event_type, published_at IS NOT NULL, attempts, confirmed, count(*) FROM twitter_outboxevent"
                " WHERE done_at IS NULL AND created_at <= %s GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC LIMIT 10",
                [until],
            )
            sessions = self.platform.sql(
                "SELECT application_name, state, now() - xact_start, left(query, 200) FROM pg_stat_activity"
                " WHERE datname = 'twitter' AND state <> 'idle' AND pid <> pg_backend_pid()"
            )
            ages = self.platform.sql(
                "SELECT min(published_at), max(published_at), now() FROM twitter_outboxevent WHERE done_at IS NULL"
            )
            raise TimeoutError(
                f"{exc}; left (type, published, attempts, confirmed, count): {left}; published {ages};"
                f" sessions: {sessions}"
            ) from exc
        return time.monotonic() - started

    def fault(self, name: str, what: str, inject: Callable[[], dict[str, Any]]) -> None:
        print(f"faults: {name}...", flush=True)
        start = time.monotonic()
        details = inject()
        end = time.monotonic()
        details["quiet_after_s"] = round(self.quiet(), 1)
        details.update(self.timelines())
        self.faults.append(
            {
                "fault": name,
                "what": what,
                "seconds": round(end - start, 1),
                "writes": _window(self.load.samples, "write", start, end),
                "reads": _window(self.load.samples, "read", start, end),
                **details,
            }
        )

    def timelines(self) -> dict[str, Any]:
        """`check_timelines` over every cached home, with the writers paused and every event
        so far delivered (a tweet still being fanned out is not a difference)."""
        self.load.writing.clear()
        try:
            self.quiet()
            output = self.platform.manage("check_timelines", "--show", "5")
        finally:
            self.load.writing.set()
        match = re.search(r"(\d+) of (\d+) cached home timelines differ", output)
        if match is None:
            raise RuntimeError(f"check_timelines said:\n{output}")
        checked: dict[str, Any] = {"timelines_checked": int(match.group(2)), "timelines_differing": int(match.group(1))}
        if checked["timelines_differing"]:  # which users, and what was missing or extra
            checked["differences"] = [line for line in output.splitlines() if line.startswith("user ")]
        return checked

    # --- The faults -------------------------------------------------------------------

    def broker_loses_its_backlog(self) -> dict[str, Any]:
        p = self.platform
        p.celery_control("cancel_consumer", "celery")
        p.celery_control("cancel_consumer", "fanout")
        broker = redis.Redis(port=p.broker_port)
        wait_until(lambda: broker.llen("celery") + broker.llen("fanout") >= 20, 60, "a backlog in the broker")
        held = int(broker.llen("celery") + broker.llen("fanout"))
        worker = p.processes["worker"]
        connected = worker.tail(100_000).count("Connected to redis")
        p.restart_redis("broker-redis", p.broker_port)
        restarted = time.monotonic()
        wait_until(
            lambda: worker.tail(100_000).count("Connected to redis") > connected, 60, "the worker back on the broker"
        )
        p.celery_control("add_consumer", "celery")
        p.celery_control("add_consumer", "fanout")
        return {
            "messages_lost_with_the_broker": held,
            "recovery_s": round(self.quiet() + time.monotonic() - restarted, 1),
        }

    def data_redis_restarts_empty(self) -> dict[str, Any]:
        p = self.platform
        p.kill("data-redis")
        time.sleep(5)  # the fault lasts a while (writers and readers keep going)
        p.processes["data-redis"] = redis_server.start(p.data_port, p.work, "data-redis")
        return {"down_s": 5}

    def replica_paused_with_cold_readers(self, authors: list[int], watchers: list[int]) -> dict[str, Any]:
        p = self.platform
        p.sql("SELECT pg_wal_replay_pause()", replica=True)
        try:
            posted = []
            for author in authors[:3]:
                response = requests.post(
                    f"{p.base}/tweets", json={"text": f"while the replica is paused, by {author}"},
                    headers={"Authorization": f"Bearer {p.token(author)}"}, timeout=10,
                )  # fmt: skip
                response.raise_for_status()
                posted.append(int(response.json()["id"]))
            # The watchers' lists are lost and rebuilt by concurrent readers, each asking for
            # the page just above the first new tweet.
            expected = {
                watcher: {t for t, a in zip(posted, authors, strict=False) if self._follows(watcher, a)}
                for watcher in watchers
            }
            client = p.data_redis()
            client.delete(*[keys.home_timeline(watcher) for watcher in watchers])
            above = {"min_id": str(min(posted) - 1), "limit": "100"}
            with ThreadPoolExecutor(8) as pool:
                pages = list(pool.map(lambda w: (w, set(self._read_home(w, above))), watchers * 4))
        finally:
            p.sql("SELECT pg_wal_replay_resume()", replica=True)
        stale = sum(1 for watcher, page in pages if not expected[watcher] <= page)
        return {"cold_reads": len(pages), "stale_reads": stale}

    def _follows(self, follower: int, followee: int) -> bool:
        return bool(
            self.platform.sql(
                "SELECT 1 FROM follows_follow WHERE follower_id = %s AND followee_id = %s", [follower, followee]
            )
        )

    def primary_stops(self) -> dict[str, Any]:
        p = self.platform
        p.pg.primary.stop()
        stopped = time.monotonic()
        time.sleep(8)  # the outage
        p.pg.primary.start(p.pg.bindir, p.pg.user, p.pg.root)
        started = time.monotonic()
        load = self.load
        first = wait_until(
            lambda: next(
                (s.at for s in load.samples if s.kind == "write" and s.at > started and s.status == 201), None
            ),
            60,
            "a write accepted again",
        )
        return {"down_s": round(started - stopped, 1), "writes_ok_again_after_s": round(first - started, 1)}

    def worker_killed_mid_fan_out(self, big: int) -> dict[str, Any]:
        p = self.platform
        for n in range(5):
            requests.post(
                f"{p.base}/tweets", json={"text": f"to {BIG_ACCOUNT} followers, {n}"},
                headers={"Authorization": f"Bearer {p.token(big)}"}, timeout=10,
            ).raise_for_status()  # fmt: skip
        wait_until(lambda: "fan_out_part_task" in p.processes["worker"].tail(50), 30, "fan-outs under way")
        p.kill("worker")
        killed = time.monotonic()
        p.start_worker()
        return {"restarted_after_s": round(time.monotonic() - killed, 1),
                "recovery_s": round(self.quiet() + time.monotonic() - killed, 1)}  # fmt: skip

    # --- The checks ---------------------------------------------------------------------

    def check(self) -> dict[str, Any]:
        p = self.platform
        written = dict(self.load.written)
        rows = p.sql(
            "SELECT text, count(*) FROM tweets_tweet WHERE text = ANY(%s) GROUP BY text", [list(self.load.attempted)]
        )
        counts = dict(rows)
        lost = [text for text in written if counts.get(text, 0) == 0]
        duplicated = [text for text, count in counts.items() if count > 1]
        check = p.manage("check_timelines", "--show", "5")
        match = re.search(r"(\d+) of (\d+) cached home timelines differ", check)
        pending = p.sql(
            "SELECT count(*) FILTER (WHERE published_at IS NULL), count(*) FILTER (WHERE done_at IS NULL)"
            " FROM twitter_outboxevent"
        )[0]
        (dead,) = p.sql("SELECT count(*) FROM twitter_deadletter")[0]
        return {
            "writes_answered_201": len(written),
            "writes_attempted": len(self.load.attempted),
            "lost": len(lost),
            "duplicated": len(duplicated),
            "timelines_checked": int(match.group(2)) if match else None,
            "timelines_differing": int(match.group(1)) if match else None,
            "check_timelines": check.strip().splitlines()[-1] if check.strip() else "",
            "outbox_pending": pending[0],
            "outbox_unconfirmed": pending[1],
            "dead_letters": dead,
        }


def _report(results: dict[str, Any]) -> str:
    lines = [
        f"# Fault suite, {results['started']}",
        "",
        f"Platform: own Postgres primary + streaming replica, separate data and broker Redis, write-API, "
        f"read-API, worker, beat, nginx. {USERS} users, one account with {BIG_ACCOUNT} active followers "
        f"(fan-out in chunks of 400), one celebrity; {WRITERS} writers at {WRITES_PER_SECOND:.0f} tweets/s in all "
        f"(each write with an Idempotency-Key, retried with it until answered) and {READERS} home-timeline "
        "readers through the gateway for the whole run.",
        "",
        "| fault | writes (statuses) | write p99 / max ms | 5xx p50 / p99 ms | reads (statuses) "
        "| read p50 / p99 / max ms | cached homes differing | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fault in results["faults"]:
        w, r = fault["writes"], fault["reads"]
        extra = {
            k: v
            for k, v in fault.items()
            if k
            not in (
                "fault",
                "what",
                "seconds",
                "writes",
                "reads",
                "timelines_checked",
                "timelines_differing",
                "differences",
            )
        }
        lines.append(
            f"| {fault['fault']} | {w['requests']} {w['statuses']} | {w['p99_ms']} / {w['max_ms']} | "
            f"{w['error_p50_ms']} / {w['error_p99_ms']} | {r['requests']} {r['statuses']} | "
            f"{r['p50_ms']} / {r['p99_ms']} / {r['max_ms']} | "
            f"{fault['timelines_differing']} of {fault['timelines_checked']} | "
            f"{', '.join(f'{k.replace(chr(95), chr(32))} {v}' for k, v in extra.items())} |"
        )
    checks = results["checks"]
    lines += [
        "",
        "Statuses: 0 is a request that got no answer (connection refused or cut); such writes were sent again "
        "with their Idempotency-Key.",
        "",
        "## Afterwards",
        "",
        *(f"- {name.replace('_', ' ')}: {value}" for name, value in checks.items()),
        "",
        f"**{'Nothing lost.' if results['ok'] else 'SOMETHING WAS LOST OR LEFT BEHIND.'}**",
    ]
    return "\n".join(lines) + "\n"


def run(out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    work.mkdir(exist_ok=True)
    work.chmod(0o755)
    platform = Platform(work)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict[str, Any] = {"started": started, "faults": []}
    try:
        platform.start()
        run = Run(platform)
        big, followers, others = run.seed()
        writers = [big, *others[:9]]
        watchers = others[9:] + followers[:20]
        run.load = Load(platform, writers=writers, readers=watchers)
        run.load.start()
        run.quiet()
        run.fault("broker", "backlog in the broker, SHUTDOWN NOSAVE, restarted empty", run.broker_loses_its_backlog)
        run.fault(
            "worker", "SIGKILL of the whole worker during 5 big fan-outs", lambda: run.worker_killed_mid_fan_out(big)
        )
        run.fault(
            "replica",
            "replay paused, followees post, watchers' lists dropped, 4 concurrent cold reads each",
            lambda: run.replica_paused_with_cold_readers(writers, watchers),
        )
        run.fault("primary", "stopped 8 s, started again", run.primary_stops)
        # Last: it empties every cached list, which the checks after the other faults read.
        run.fault("data Redis", "stopped 5 s, restarted empty", run.data_redis_restarts_empty)
        run.load.stop()
        run.quiet(everything=True)
        results["faults"] = run.faults
        results["checks"] = run.check()
        checks = results["checks"]
        stale = sum(fault.get("stale_reads", 0) for fault in run.faults)
        differing = sum(fault["timelines_differing"] for fault in run.faults)
        results["ok"] = (
            checks["lost"] == 0
            and checks["duplicated"] == 0
            and checks["timelines_differing"] == 0
            and checks["outbox_pending"] == 0
            and checks["outbox_unconfirmed"] == 0
            and checks["dead_letters"] == 0
            and stale == 0
            and differing == 0
        )
    finally:
        platform.stop()
        (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
        if "checks" in results:
            (out / "report.md").write_text(_report(results))
    return results


def main() -> int:
    default = ROOT / ".data" / "faults" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = Path(os.environ.get("FAULTS_DIR") or default)
    results = run(out)
    report = out / "report.md"
    if report.exists():
        print(report.read_text())
    print(f"faults: report in {report}", flush=True)
    return 0 if results.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
