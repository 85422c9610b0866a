"""The benchmark run: seed, warm, start the stack, run every scenario, collect figures.

Runs inside `manage.py bench` (Django configured), so it seeds and warms through the
platform's own services. Every load comes from wrk on loopback, bounded in time.
"""

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from apps.timelines import feeds, selectors
from apps.users.models import User
from bench.streams import hold_streams, raise_open_files_limit
from devstack import nginx
from devstack.procs import Process, free_port, granian_argv
from twitter import keys
from twitter.api.pagination import PageParams
from twitter.db.routing import PRIMARY
from twitter.ids import new_id
from twitter.redis import get_redis

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "requests.lua"
UNUSABLE = make_password(None)  # bench users never log in: they get tokens directly

Log = Callable[[str], None]


@dataclass
class Options:
    users: int = 20_000
    follows: int = 50
    tweets: int = 200_000
    celebrities: int = 3
    big_account: int = 9_500
    readers: int = 2_000
    cold_users: int = 300
    cold_following: int = 1_000
    duration: int = 10
    rounds: int = 3
    connections: int = 64
    workers: int = 2
    threads: int = 4
    streams: int = 5_000


@dataclass
class Stack:
    processes: dict[str, Process] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()


def _tree_cpu(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                continue
        return total
    except psutil.NoSuchProcess:
        return 0.0


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median throughput, with every round's throughput."""
    median = sorted(rounds, key=lambda run: run["rps"])[len(rounds) // 2]
    return {**median, "rounds_rps": [run["rps"] for run in rounds]}


def _tree_rss(pid: int) -> int:
    try:
        root = psutil.Process(pid)
        return sum(proc.memory_info().rss for proc in [root, *root.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0


def _listening_pid(port: int) -> int | None:
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            return int(conn.pid)
    return None


class Bench:
    def __init__(self, out_dir: Path, options: Options, log: Log) -> None:
        self.out = out_dir
        self.opt = options
        self.log = log
        self.stack = Stack()
        self.results: dict[str, Any] = {"options": options.__dict__, "scenarios": {}, "baselines": {}}
        self.rng = random.Random(7)  # noqa: S311 - picks test users, not secrets
        self.started = timezone.now()  # events from before this run are not this run's backlog

    # --- setup ------------------------------------------------------------------

    def seed(self) -> None:
        if User.objects.exists():
            self.log("graph already seeded; reusing it")
            return
        started = time.monotonic()
        call_command(
            "seed",
            users=self.opt.users,
            follows=self.opt.follows,
            tweets=self.opt.tweets,
            celebrities=self.opt.celebrities,
            big_account=self.opt.big_account,
            prefix="b",
        )
        self.results["seed_seconds"] = round(time.monotonic() - started, 1)

    def _users_file(self, name: str, user_ids: list[int]) -> Path:
        path = self.out / f"{name}.users"
        users = User.objects.in_bulk(user_ids)
        path.write_text("".join(f"{uid} {AccessToken.for_user(users[uid])}\n" for uid in user_ids if uid in users))
        return path

    def pick_users(self) -> None:
        celebrities = feeds.celebrity_ids()
        regular = list(
            User.objects.filter(is_active=True, username__startswith="b")
            .exclude(pk__in=celebrities)
            .values_list("pk", flat=True)
        )
        self.readers = self.rng.sample(regular, min(self.opt.readers, len(regular)))
        big = User.objects.filter(followers_count__lt=settings.CELEBRITY_FOLLOWERS).order_by("-followers_count").first()
        assert big is not None
        self.big_account = big.pk
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT follower_id FROM follows_follow WHERE followee_id = %s", [big.pk])
            self.big_followers = [row[0] for row in cursor.fetchall()]
        self.cold_users = self._make_cold_users(regular)
        self.probe_author, self.probe_followers = self._make_probe(regular)

    def _make_cold_users(self, regular: list[int]) -> list[int]:
        """Users who follow `cold_following` accounts and have no cached timeline."""
        made = User.objects.bulk_create(
            [
                User(
                    username=f"cold{i}_{new_id() % 100000}", email=f"cold{i}.{new_id()}@example.com", password=UNUSABLE
                )
                for i in range(self.opt.cold_users)
            ]
        )
        rows = [
            (new_id(), user.pk, followee)
            for user in made
            for followee in self.rng.sample(regular, min(self.opt.cold_following, len(regular)))
        ]
        with (
            connections[PRIMARY].cursor() as cursor,
            cursor.copy("COPY follows_follow (id, follower_id, followee_id, created_at) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*row, "now"))
        return [user.pk for user in made]

    def _make_probe(self, regular: list[int]) -> tuple[int, list[int]]:
        author = User.objects.create(username=f"probe{new_id() % 10**9}", email=f"probe.{new_id()}@example.com")
        followers = self.rng.sample(regular, min(50, len(regular)))
        with connections[PRIMARY].cursor() as cursor:
            cursor.executemany(
                "INSERT INTO follows_follow (id, follower_id, followee_id, created_at) VALUES (%s, %s, %s, now())",
                [(new_id(), follower, author.pk) for follower in followers],
            )
        return author.pk, followers

    def warm(self) -> None:
        """What a running service has warm: the home lists (and cached tweets) of active users."""
        started = time.monotonic()
        active = sorted(set(self.readers) | set(self.big_followers) | set(self.probe_followers))
        self._drop_cold()

        def warm_one(user_id: int) -> None:
            selectors.home_page(viewer_id=user_id, params=PageParams())
            connections.close_all()

        with ThreadPoolExecutor(4) as pool:
            for done, _ in enumerate(pool.map(warm_one, active), 1):
                if done % 2000 == 0:
                    self.log(f"  warmed {done}/{len(active)} home timelines")
        self.results["warm"] = {"users": len(active), "seconds": round(time.monotonic() - started, 1)}
        self.log(f"warmed {len(active)} home timelines in {time.monotonic() - started:.1f}s")

    # --- processes -----------------------------------------------------------------

    def _granian(
        self, name: str, target: str, settings_module: str | None, *, interface: str = "wsgi", **env: str
    ) -> None:
        port = free_port()
        wsgi = interface == "wsgi"  # the streaming process (ASGI) runs one worker, one thread
        argv = [
            *granian_argv(
                target,
                port,
                workers=self.opt.workers if wsgi else 1,
                threads=self.opt.threads if wsgi else 1,
                interface=interface,
            ),
            "--log-level",
            "warning",
        ]
        full_env = {**os.environ, **env}
        if settings_module:
            full_env["DJANGO_SETTINGS_MODULE"] = settings_module
        process = Process(name, argv, log_path=self.out / "logs" / f"{name}.log", cwd=ROOT, env=full_env)
        process.wait_for_port(port, timeout=60)
        self.stack.processes[name], self.stack.ports[name] = process, port

    def start_stack(self) -> None:
        replica = connections["replica"].settings_dict
        pull_url = f"postgresql://{replica['USER']}@{replica['HOST']}:{replica['PORT']}/{replica['NAME']}"
        raise_open_files_limit(self.opt.streams + 1024)  # the streaming process inherits it
        self._granian("read-api", "config.wsgi:application", "config.settings.read")
        self._granian("streaming", "config.asgi:application", "config.settings.streaming", interface="asgi")
        self._granian("write-api", "config.wsgi:application", "config.settings.write")
        self._granian("ceiling", "bench.baselines:ceiling", None)
        self._granian("pull", "bench.baselines:pull", None, PULL_DATABASE_URL=pull_url)
        celery = str(Path(sys.executable).parent / "celery")
        worker = Process(
            "worker",
            [celery, "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=2"],
            log_path=self.out / "logs" / "worker.log",
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.worker"},
        )
        self.stack.processes["worker"] = worker
        port = free_port()
        self.stack.processes["gateway"] = nginx.start(
            self.out / "nginx",
            gateway_port=port,
            write_addr=f"127.0.0.1:{self.stack.ports['write-api']}",
            read_addr=f"127.0.0.1:{self.stack.ports['read-api']}",
            streaming_addr="127.0.0.1:9",  # the benchmark runs no streaming process
            limits=nginx.BENCHMARK_LIMITS,  # all its load comes from one address
        )
        self.stack.ports["gateway"] = port
        time.sleep(2)

    def _cpu_groups(self) -> dict[str, list[int]]:
        groups = {name: [proc.pid] for name, proc in self.stack.processes.items()}
        redis_port = get_redis().connection_pool.connection_kwargs.get("port", 6379)
        for name, port in (
            ("redis", redis_port),
            ("postgres-primary", connections[PRIMARY].settings_dict["PORT"]),
            ("postgres-replica", connections["replica"].settings_dict["PORT"]),
        ):
            pid = _listening_pid(int(port))
            if pid:
                groups[name] = [pid]
        return groups

    def _cpu(self) -> dict[str, float]:
        return {name: sum(_tree_cpu(pid) for pid in pids) for name, pids in self._cpu_groups().items()}

    # --- load -----------------------------------------------------------------------

    def wrk(
        self,
        target: str,
        users_file: Path,
        mode: str,
        path: str,
        *,
        duration: int | None = None,
        connections_count: int | None = None,
    ) -> dict[str, Any]:
        connections_count = connections_count or self.opt.connections
        threads = str(min(2, connections_count))  # wrk wants a connection per thread at least
        env = {
            **os.environ,
            "BENCH_USERS": str(users_file),
            "BENCH_MODE": mode,
            "BENCH_PATH": path,
            "BENCH_THREADS": threads,
        }
        argv = [
            "wrk",
            "-t",
            threads,
            "-c",
            str(connections_count),
            "-d",
            f"{duration or self.opt.duration}s",
            "--timeout",
            "5s",
            "-s",
            str(WRK_SCRIPT),
            target,
        ]
        before = self._cpu()
        output = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=(duration or self.opt.duration) + 60
        )
        after = self._cpu()
        line = next((ln for ln in output.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk printed no result:\n{output.stdout}\n{output.stderr}")
        result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
        result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
        result["cpu_seconds"] = {name: round(after.get(name, 0) - before.get(name, 0), 2) for name in after}
        return result

    def _scenario(self, name: str, result: dict[str, Any]) -> None:
        self.results["scenarios"][name] = result
        self._log_run(name, result)

    def _log_run(self, name: str, result: dict[str, Any]) -> None:
        self.log(
            f"{name:<20} {result.get('rps', 0):>9.1f} req/s  p50 {result.get('p50_ms', 0):.1f} ms  "
            f"p99 {result.get('p99_ms', 0):.1f} ms  errors {result.get('errors', 0)}"
        )

    def run_reads(self) -> None:
        """read_warm and its ceiling in alternating rounds (this machine's speed drifts
        within a run): each figure is its median round, and every round is kept."""
        self._drain()  # the worker finishes what setting up queued before anything is timed
        readers = self._users_file("readers", self.readers)
        home = "/api/v1/timelines/home"
        direct: list[dict[str, Any]] = []
        ceiling: list[dict[str, Any]] = []
        for number in range(1, self.opt.rounds + 1):
            direct.append(self.wrk(self.stack.url("read-api"), readers, "token", home))
            self._log_run(f"  round {number} read-api", direct[-1])
            ceiling.append(self.wrk(self.stack.url("ceiling"), readers, "query", "/"))
            self._log_run(f"  round {number} ceiling", ceiling[-1])
        self._scenario("read_warm_direct", _median_round(direct))
        self.results["baselines"]["ceiling"] = _median_round(ceiling)
        self._log_run("ceiling (baseline)", self.results["baselines"]["ceiling"])
        self._scenario("read_warm_gateway", self.wrk(self.stack.url("gateway"), readers, "token", home))
        self.results["baselines"]["pull"] = self.wrk(self.stack.url("pull"), readers, "query", "/")
        self._log_run("pull (baseline)", self.results["baselines"]["pull"])

    def _drop_cold(self) -> None:
        """What a user away for weeks has in Redis: no home list, no engagement sets."""
        for user_id in self.cold_users:
            feeds.drop(keys.home_timeline(user_id))
            feeds.drop(keys.viewer_likes(user_id))
            feeds.drop(keys.viewer_retweets(user_id))

    def run_cold(self) -> None:
        """Each cold user reads their home once, one at a time: the latency of a rebuild.
        Then their lists and sets are dropped again and they read eight at a time: the
        rate of rebuilds competing (the tweets they read stay cached from the first run)."""
        cold = self._users_file("cold", self.cold_users)
        home = "/api/v1/timelines/home"
        for name, connections_count in (("read_cold", 1), ("read_cold_8_connections", 8)):
            if connections_count > 1:
                self._drop_cold()
            result = self.wrk(
                self.stack.url("read-api"), cold, "once", home, duration=40, connections_count=connections_count
            )
            # wrk runs out its time after the last user; the rate is the one while busy.
            result["rps"] = round(connections_count * 1000 / result["mean_ms"], 1) if result["mean_ms"] else 0
            result["following"] = self.opt.cold_following
            self._scenario(name, result)

    def run_write(self) -> None:
        writers = self._users_file("writers", self.rng.sample(self.readers, min(500, len(self.readers))))
        self._scenario(
            "write",
            self.wrk(
                self.stack.url("write-api"), writers, "write", "/api/v1/tweets", duration=max(5, self.opt.duration // 2)
            ),
        )

    def _holding(self, tweet_id: int, list_keys: list[str]) -> int:
        """How many of the lists hold `tweet_id` among their newest 100 entries (a new tweet
        is at the head, or just under the few tweets that came after it). Scanning whole
        lists, several hundred times a second, would load Redis in the measured scenario."""
        pipe = get_redis().pipeline(transaction=False)
        for key in list_keys:
            pipe.lpos(key, str(tweet_id), maxlen=100)
        return sum(position is not None for position in pipe.execute())

    def _wait_visible(self, tweet_id: int, followers: list[int], timeout: float) -> float | None:
        started = time.monotonic()
        list_keys = [keys.home_timeline(follower) for follower in followers]
        while time.monotonic() - started < timeout:
            if self._holding(tweet_id, list_keys) == len(list_keys):
                return time.monotonic() - started
            time.sleep(0.005)
        return None

    def _drain(self, timeout: float = 120) -> None:
        """Let the worker finish what earlier scenarios queued before timing a fan-out."""
        from twitter.models import OutboxEvent

        deadline = time.monotonic() + timeout
        unpublished = OutboxEvent.objects.filter(published_at__isnull=True, created_at__gte=self.started)
        while time.monotonic() < deadline:
            if not get_redis().llen("celery") and not unpublished.exists():
                return
            time.sleep(0.2)
        self.log(f"the worker did not drain its queue in {timeout:.0f}s; going on")

    def run_mixed(self) -> None:
        self._drain()  # what the write scenario queued is not this scenario's backlog
        readers = self._users_file("mixed", self.readers)
        token = str(AccessToken.for_user(User.objects.get(pk=self.probe_author)))
        samples: list[float] = []
        stop = threading.Event()

        def probe() -> None:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            number = 0
            while not stop.is_set():
                number += 1
                response = session.post(
                    f"{self.stack.url('write-api')}/api/v1/tweets", json={"text": f"probe {number}"}, timeout=10
                )
                if response.status_code == 201:
                    seen = self._wait_visible(int(response.json()["id"]), self.probe_followers, timeout=10)
                    samples.append(seen if seen is not None else 10.0)
                stop.wait(0.2)

        thread = threading.Thread(target=probe, daemon=True)
        thread.start()
        result = self.wrk(self.stack.url("gateway"), readers, "mixed", "/api/v1/timelines/home")
        stop.set()
        thread.join(15)
        samples.sort()
        result["visible_samples_ms"] = [round(s * 1000, 2) for s in samples]
        if samples:
            result["visible_p50_ms"] = round(samples[len(samples) // 2] * 1000, 1)
            result["visible_p99_ms"] = round(samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000, 1)
        result["read_rps"] = round(result["rps"] * 0.9, 1)
        self._scenario("mixed", result)

    def run_fanout(self) -> None:
        self._drain()
        active = feeds.existing_homes(self.big_followers)
        raw = self._raw_insert_speed(active)
        self.results["baselines"]["redis_raw_insert"] = raw
        token = str(AccessToken.for_user(User.objects.get(pk=self.big_account)))
        response = requests.post(
            f"{self.stack.url('write-api')}/api/v1/tweets",
            json={"text": "to all my followers"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        posted = time.monotonic()
        tweet = response.json()["id"]
        # Progress is read on a sample (polling ~10,000 lists takes longer than the fan-out);
        # once the sample is complete, every list is checked.
        progress: list[tuple[float, int]] = []
        all_keys = [keys.home_timeline(user_id) for user_id in active]
        sample = self.rng.sample(all_keys, min(200, len(all_keys)))
        while time.monotonic() - posted < 60:
            count = self._holding(int(tweet), sample)
            elapsed = time.monotonic() - posted
            progress.append((round(elapsed, 4), round(count * len(all_keys) / len(sample))))
            if count == len(sample) and self._holding(int(tweet), all_keys) == len(all_keys):
                progress[-1] = (round(elapsed, 4), len(all_keys))
                break
            time.sleep(0.001)
        seconds = progress[-1][0]
        result = {
            "followers": len(self.big_followers),
            "active_followers": len(active),
            "seconds": seconds,
            "entries_per_s": round(len(active) / seconds, 1) if seconds else None,
            "progress": progress,
            "delivered": progress[-1][1],
        }
        self._scenario(
            "fanout", {"rps": result["entries_per_s"] or 0, "p50_ms": seconds * 1000, "p99_ms": seconds * 1000}
        )
        self.results["scenarios"]["fanout"] = result

    def run_streams(self) -> None:
        """Followers of the big account hold one home stream each; the account tweets."""
        self._drain()
        holders = self.big_followers[: self.opt.streams]
        tokens = [str(AccessToken.for_user(User(pk=user_id))) for user_id in holders]
        streaming_pid = self.stack.processes["streaming"].pid
        rss: dict[str, int] = {"before": _tree_rss(streaming_pid)}

        def settle() -> None:
            time.sleep(2)
            rss["after"] = _tree_rss(streaming_pid)

        def post() -> str:
            token = str(AccessToken.for_user(User(pk=self.big_account)))
            response = requests.post(
                f"{self.stack.url('write-api')}/api/v1/tweets",
                json={"text": "to everyone watching"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            return str(response.json()["id"])

        self.log(f"streams: opening {len(tokens)} idle home streams")
        held = hold_streams(self.stack.ports["streaming"], tokens, post, settle)
        result = held.summary(rss["before"], rss.get("after", rss["before"]))
        self.results["scenarios"]["streams"] = result
        self.log(
            f"streams: held {result['held']} (refused {result['refused']}), {result['bytes_per_stream']} bytes each;"
            f" a tweet reached {result['delivered']} in p50 {result['delivery_p50_ms']} ms,"
            f" p99 {result['delivery_p99_ms']} ms"
        )

    def _raw_insert_speed(self, user_ids: list[int]) -> dict[str, Any]:
        """Pipelined LPUSH+LTRIM of one id into copies of the same lists, batches of 1,000."""
        client = get_redis()
        scratch = [f"bench:raw:{user_id}" for user_id in user_ids]
        pipe = client.pipeline(transaction=False)
        for user_id, key in zip(user_ids, scratch, strict=True):
            pipe.copy(keys.home_timeline(user_id), key, replace=True)
        pipe.execute()
        started = time.monotonic()
        for start in range(0, len(scratch), 1000):
            pipe = client.pipeline(transaction=False)
            for key in scratch[start : start + 1000]:
                pipe.lpush(key, "9" * 19)
                pipe.ltrim(key, 0, feeds.cap() - 1)
            pipe.execute()
        seconds = time.monotonic() - started
        for start in range(0, len(scratch), 1000):
            client.delete(*scratch[start : start + 1000])
        return {
            "entries": len(scratch),
            "seconds": round(seconds, 4),
            "entries_per_s": round(len(scratch) / seconds, 1),
        }

    def measure_memory(self) -> None:
        client = get_redis()
        sample = self.rng.sample(self.readers, min(500, len(self.readers)))
        pipe = client.pipeline(transaction=False)
        for user_id in sample:
            pipe.memory_usage(keys.home_timeline(user_id))
            pipe.llen(keys.home_timeline(user_id))
        values = pipe.execute()
        total_bytes = sum(v or 0 for v in values[0::2])
        total_entries = sum(v or 0 for v in values[1::2])
        info = client.info("memory")
        self.results["redis_memory"] = {
            "sampled_lists": len(sample),
            "bytes": total_bytes,
            "entries": total_entries,
            "bytes_per_entry": round(total_bytes / total_entries, 2) if total_entries else None,
            "used_memory": info["used_memory"],
            "used_memory_human": info["used_memory_human"],
        }
        self.log(f"redis: {self.results['redis_memory']['bytes_per_entry']} bytes per timeline entry")

    def run(self) -> dict[str, Any]:
        (self.out / "logs").mkdir(parents=True, exist_ok=True)
        self.seed()
        self.pick_users()
        self.warm()
        try:
            self.start_stack()
            self.run_reads()
            self.run_cold()
            self.run_write()
            self.run_mixed()
            self.run_fanout()
            self.run_streams()
            self.measure_memory()
        finally:
            self.stack.stop()
        (self.out / "results.json").write_text(json.dumps(self.results, indent=2, default=str))
        return self.results
