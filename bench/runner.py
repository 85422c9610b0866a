"""The benchmark run: seed, warm, start the stack, run every scenario, collect figures.

Runs inside `manage.py bench` (Django configured), so it seeds and warms through the
platform's own services. Every load comes from wrk on loopback, bounded in time.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

import psutil
import requests
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from redis.cluster import RedisCluster
from rest_framework_simplejwt.tokens import AccessToken

from apps.follows import suggestions
from apps.follows.bulk import follows_bulk_load
from apps.mastodon import oauth as mastodon_oauth
from apps.timelines import feeds, selectors, services
from apps.users.bulk import BulkUser, users_bulk_load
from apps.users.models import User
from bench import baselines, delivery
from bench.streams import hold_streams, raise_open_files_limit
from devstack import nginx
from devstack.procs import Process, free_port, granian_argv
from twitter import keys
from twitter.api.pagination import PageParams
from twitter.db.routing import PRIMARY
from twitter.ids import new_id
from twitter.redis import LOADED, active_ttl_seconds, get_redis

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
    fans: int = 100_000
    probes: int = 60


# Every scenario, in the order they run (`manage.py bench --only write,mixed` runs some).
SCENARIOS = ("reads", "cold", "write", "mixed", "fanout", "fanout_100k", "streams")


@dataclass
class Stack:
    processes: dict[str, Process] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        self.processes.clear()


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children, those that already exited included
    (Postgres runs each session in a process of its own)."""
    try:
        root = psutil.Process(pid)
        reaped = root.cpu_times()
        total = float(reaped.children_user + reaped.children_system)
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
    def __init__(self, out_dir: Path, options: Options, log: Log, only: set[str] | None = None) -> None:
        self.out = out_dir
        self.opt = options
        self.only = only or set(SCENARIOS)
        self.log = log
        self.stack = Stack()
        self.results: dict[str, Any] = {"options": options.__dict__, "scenarios": {}, "baselines": {}}
        self.rng = random.Random(7)  # noqa: S311 - picks test users, not secrets
        self.started = timezone.now()  # events from before this run are not this run's backlog
        # A Redis Cluster the read_warm_cluster scenario reads from (a read-API of its own).
        self.cluster_url = os.environ.get("BENCH_REDIS_CLUSTER_URL", "")

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

    def _users_file(self, name: str, user_ids: list[int], *, oauth_scopes: list[str] | None = None) -> Path:
        """Each user's id and a token: a native one, or one a Mastodon app would hold."""
        path = self.out / f"{name}.users"
        users = User.objects.in_bulk(user_ids)

        def token(user: User) -> str:
            if oauth_scopes is not None:
                return mastodon_oauth.signed_token(user_id=user.pk, scopes=oauth_scopes)
            return str(AccessToken.for_user(user))

        path.write_text("".join(f"{uid} {token(users[uid])}\n" for uid in user_ids if uid in users))
        return path

    def pick_users(self) -> None:
        celebrities = services.celebrity_ids()
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
            full_env["PROMETHEUS_MULTIPROC_DIR"] = str(self._metrics_dir(name))
        process = Process(name, argv, log_path=self.out / "logs" / f"{name}.log", cwd=ROOT, env=full_env)
        process.wait_for_port(port, timeout=60)
        self.stack.processes[name], self.stack.ports[name] = process, port

    def _metrics_dir(self, role: str) -> Path:
        """The role's Prometheus multiprocess directory, as in production (twitter.metrics)."""
        directory = self.out / "metrics" / role
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        return directory

    def collect_metrics(self) -> None:
        """Each role's business series after the run (`twitter_*`, summed over processes),
        and its whole /metrics page beside the report."""
        found: dict[str, dict[str, float]] = {}
        for role in ("read-api", "write-api", "streaming", "worker"):
            if role not in self.stack.ports:
                continue
            try:
                page = requests.get(f"{self.stack.url(role)}/metrics", timeout=30)
            except requests.RequestException as exc:
                self.log(f"metrics of {role}: {exc}")
                continue
            if page.status_code != 200:
                self.log(f"metrics of {role}: {page.status_code}")
                continue
            text = page.text
            (self.out / "metrics" / f"{role}.prom").write_text(text)
            series: dict[str, float] = {}
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    if not sample.name.startswith("twitter_") or sample.name.endswith(("_bucket", "_created")):
                        continue
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()) if k != "pid")
                    name = f"{sample.name}{{{labels}}}" if labels else sample.name
                    series[name] = series.get(name, 0.0) + sample.value
            found[role] = series
        self.results["metrics"] = found

    def measure_processes(self) -> None:
        """Each process tree's resident memory after the run (a role's pods' memory
        requests come from these: deploy/k8s)."""
        self.results["process_rss_bytes"] = {
            name: _tree_rss(process.pid) for name, process in self.stack.processes.items() if process.alive()
        }
        self.log("rss: " + ", ".join(f"{k} {v / 2**20:.0f} MiB" for k, v in self.results["process_rss_bytes"].items()))

    def _database_url(self, alias: str) -> str:
        db = connections[alias].settings_dict
        return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    def start_stack(self) -> None:
        raise_open_files_limit(self.opt.streams + 1024)  # the streaming process inherits it
        baselines.scratch_create(self._database_url(PRIMARY))
        self._granian("read-api", "config.wsgi:application", "config.settings.read")
        if self.cluster_url:
            cluster = {"REDIS_CLUSTER": "true", "REDIS_URL": self.cluster_url}
            self._granian("read-api-cluster", "config.wsgi:application", "config.settings.read", **cluster)
        self._granian("streaming", "config.asgi:application", "config.settings.streaming", interface="asgi")
        self._granian("write-api", "config.wsgi:application", "config.settings.write")
        # The same write-API with the request relaying its own events (OUTBOX_RELAY=inline).
        self._granian("write-api-inline", "config.wsgi:application", "config.settings.write", OUTBOX_RELAY="inline")
        replica = {"BASELINE_DATABASE_URL": self._database_url("replica")}
        self._granian("ceiling", "bench.baselines:ceiling", None)
        self._granian("pull", "bench.baselines:pull", None, **replica)
        self._granian("pull-naive", "bench.baselines:pull_naive", None, **replica)
        primary = {"BASELINE_DATABASE_URL": self._database_url(PRIMARY)}
        self._granian("write-ceiling", "bench.baselines:write_ceiling", None, **primary)
        celery = str(Path(sys.executable).parent / "celery")
        self.stack.ports["worker"] = free_port()  # its metrics
        worker = Process(
            "worker",
            [celery, "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=2"],
            log_path=self.out / "logs" / "worker.log",
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.worker",
                "PROMETHEUS_MULTIPROC_DIR": str(self._metrics_dir("worker")),
                "WORKER_METRICS_PORT": str(self.stack.ports["worker"]),
            },
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
        if self.cluster_url:
            nodes = self._cluster_node_ports()
            groups["redis-cluster"] = [pid for pid in map(_listening_pid, nodes) if pid]
        return groups

    def _cluster_node_ports(self) -> list[int]:
        if not hasattr(self, "_cluster_ports"):
            client = RedisCluster.from_url(self.cluster_url)
            self._cluster_ports = [int(node.port) for node in client.get_primaries()]
            client.close()
        return self._cluster_ports

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
        client_api: str | None = None,
    ) -> dict[str, Any]:
        connections_count = connections_count or self.opt.connections
        threads = str(min(2, connections_count))  # wrk wants a connection per thread at least
        env = {
            **os.environ,
            "BENCH_USERS": str(users_file),
            "BENCH_MODE": mode,
            "BENCH_PATH": path,
            "BENCH_THREADS": threads,
            **({"BENCH_CLIENT_API": client_api} if client_api else {}),
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
        mastodon_readers = self._users_file("mastodon-readers", self.readers, oauth_scopes=["read", "write"])
        direct: list[dict[str, Any]] = []
        ceiling: list[dict[str, Any]] = []
        cluster: list[dict[str, Any]] = []
        mastodon: list[dict[str, Any]] = []
        if self.cluster_url:
            self._warm_cluster(readers, home)
        for number in range(1, self.opt.rounds + 1):
            direct.append(self.wrk(self.stack.url("read-api"), readers, "token", home))
            self._log_run(f"  round {number} read-api", direct[-1])
            ceiling.append(self.wrk(self.stack.url("ceiling"), readers, "query", "/"))
            self._log_run(f"  round {number} ceiling", ceiling[-1])
            mastodon.append(
                self.wrk(self.stack.url("read-api"), mastodon_readers, "token", home, client_api="mastodon")
            )
            self._log_run(f"  round {number} read-api (Mastodon)", mastodon[-1])
            if self.cluster_url:
                cluster.append(self.wrk(self.stack.url("read-api-cluster"), readers, "token", home))
                self._log_run(f"  round {number} read-api (cluster)", cluster[-1])
        self._scenario("read_warm_direct", _median_round(direct))
        self._scenario("read_warm_mastodon", _median_round(mastodon))
        if cluster:
            self._scenario("read_warm_cluster", _median_round(cluster))
        self.results["baselines"]["ceiling"] = _median_round(ceiling)
        self._log_run("ceiling (baseline)", self.results["baselines"]["ceiling"])
        self._scenario("read_warm_gateway", self.wrk(self.stack.url("gateway"), readers, "token", home))
        for name in ("pull", "pull-naive"):
            self.results["baselines"][name.replace("-", "_")] = self.wrk(self.stack.url(name), readers, "query", "/")
            self._log_run(f"{name} (baseline)", self.results["baselines"][name.replace("-", "_")])

    def _warm_cluster(self, readers: Path, home: str) -> None:
        """The readers' homes on the cluster: each read twice through its read-API (the
        first read builds the lists and caches the tweets there)."""
        started = time.monotonic()
        url = self.stack.url("read-api-cluster") + home
        tokens = [line.split()[1] for line in readers.read_text().splitlines() if line.strip()]

        def read(token: str) -> None:
            for _ in range(2):
                requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).raise_for_status()

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(read, tokens))
        self.log(f"warmed {len(tokens)} home timelines on the Redis Cluster in {time.monotonic() - started:.1f}s")

    def _drop_cold(self) -> None:
        """What a user away for weeks has in Redis: no home list, no engagement sets."""
        for user_id in self.cold_users:
            feeds.drop(feeds.Home(user_id))
            get_redis().delete(keys.viewer_likes(user_id), keys.viewer_retweets(user_id))

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
        self._suggestions_cost()

    def _suggestions_cost(self) -> None:
        """What who-to-follow costs the worker for users following `cold_following`
        accounts: the two-hop query and the rest of a computation, one user at a time."""
        sample = self.cold_users[:30]
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM follows_follow f1 JOIN follows_follow f2 ON f2.follower_id = f1.followee_id"
                " WHERE f1.follower_id = ANY(%s)",
                [sample],
            )
            hops = cursor.fetchone()[0] / max(1, len(sample))
        timings = []
        for user_id in sample:
            started = time.perf_counter()
            suggestions.compute(user_id=user_id)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        result = {
            "following": self.opt.cold_following,
            "users": len(sample),
            "second_hop_rows": round(hops),
            "p50_ms": round(timings[len(timings) // 2], 1),
            "max_ms": round(timings[-1], 1),
        }
        self.results["scenarios"]["suggestions_compute"] = result
        self.log(
            f"suggestions_compute  following {result['following']}: p50 {result['p50_ms']} ms, max"
            f" {result['max_ms']} ms ({result['second_hop_rows']} follows two hops away)"
        )

    def run_write(self) -> None:
        """Posting at full speed, the write-API and the write ceiling in alternating rounds
        (each figure its median round). Then one more write-API round is followed until
        every tweet reached every follower: the CPU each process spent per tweet
        delivered, and tweets delivered per second end to end."""
        self._drain()
        writers = self._users_file("writers", self.rng.sample(self.readers, min(500, len(self.readers))))
        duration = max(5, self.opt.duration // 2)
        api: list[dict[str, Any]] = []
        ceiling: list[dict[str, Any]] = []
        for number in range(1, self.opt.rounds + 1):
            api.append(self.wrk(self.stack.url("write-api"), writers, "write", "/api/v1/tweets", duration=duration))
            self._log_run(f"  round {number} write-api", api[-1])
            self._drain()
            ceiling.append(self.wrk(self.stack.url("write-ceiling"), writers, "write_query", "/", duration=duration))
            self._log_run(f"  round {number} write ceiling", ceiling[-1])
        self._scenario("write", _median_round(api))
        self.results["baselines"]["write_ceiling"] = _median_round(ceiling)
        self._log_run("write ceiling (baseline)", self.results["baselines"]["write_ceiling"])
        self.results["scenarios"]["write_delivered"] = self._write_delivered(writers, duration)
        self._drain()
        inline = self.wrk(self.stack.url("write-api-inline"), writers, "write", "/api/v1/tweets", duration=duration)
        self._scenario("write_relay_inline", inline)
        self._drain()
        self.results["scenarios"]["delivery_mechanism"] = result = delivery.measure(settings.CELERY_BROKER_URL)
        self.log(f"delivery mechanism, per event: {result}")

    def _write_delivered(self, writers: Path, duration: int) -> dict[str, Any]:
        before = self._cpu()
        started = time.monotonic()
        run = self.wrk(self.stack.url("write-api"), writers, "write", "/api/v1/tweets", duration=duration)
        self._drain()
        seconds = time.monotonic() - started
        spent = {name: after - before.get(name, 0) for name, after in self._cpu().items()}
        tweets = run["requests"] - run["errors"]
        writer_ids = [int(line.split()[0]) for line in writers.read_text().splitlines()]
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT avg(followers_count) FROM users_user WHERE id = ANY(%s)", [writer_ids])
            followers = float(cursor.fetchone()[0] or 0)
        per_tweet = {name: round(value * 1000 / tweets, 2) for name, value in spent.items() if value > 0.005}
        result = {
            "tweets": tweets,
            "seconds_until_delivered": round(seconds, 2),
            "delivered_per_s": round(tweets / seconds, 1),
            "accepted_per_s": run["rps"],
            "mean_followers": round(followers, 1),
            "cpu_ms_per_tweet": per_tweet,
            "cpu_ms_per_tweet_total": round(sum(per_tweet.values()), 2),
            "worker_cpu_ms_per_delivery": round(spent.get("worker", 0) * 1000 / (tweets * max(followers, 1)), 3),
        }
        self.log(
            f"write delivered: {tweets} tweets to ~{followers:.0f} followers each in {seconds:.1f}s"
            f" ({result['delivered_per_s']}/s); CPU ms per tweet {per_tweet}"
        )
        return result

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

    def _drain(self, timeout: float = 180) -> None:
        """Let the worker finish what earlier scenarios queued before timing a fan-out."""
        from twitter.models import OutboxEvent

        deadline = time.monotonic() + timeout
        unpublished = OutboxEvent.objects.filter(published_at__isnull=True, created_at__gte=self.started)
        client = get_redis()
        while time.monotonic() < deadline:
            queued = sum(client.llen(queue) for queue in ("celery", "fanout"))
            unacked = client.hlen("unacked")
            if not queued and not unacked and not unpublished.exists():
                return
            time.sleep(0.05)
        self.log(f"the worker did not drain its queue in {timeout:.0f}s; going on")

    def run_mixed(self) -> None:
        """Reads and writes through the gateway (90% / 10%), while a probe account posts on a
        fixed schedule: each probe's time from its 201 to its presence in all of its
        followers' homes, late ones included (up to 10 s after the load stops)."""
        self._drain()  # what the write scenario queued is not this scenario's backlog
        readers = self._users_file("mixed", self.readers)
        token = str(AccessToken.for_user(User.objects.get(pk=self.probe_author)))
        interval = self.opt.duration / self.opt.probes
        pending: dict[int, float] = {}  # tweet id -> when its 201 came
        samples: list[float] = []
        failed: list[int] = []  # status codes of probes refused
        lock = threading.Lock()
        stop_posting, stop_watching = threading.Event(), threading.Event()

        def post(number: int) -> None:
            session = requests.Session()
            response = session.post(
                f"{self.stack.url('write-api')}/api/v1/tweets",
                json={"text": f"probe {number}"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            if response.status_code != 201:
                failed.append(response.status_code)
                return
            with lock:
                pending[int(response.json()["id"])] = time.monotonic()

        def schedule() -> None:
            with ThreadPoolExecutor(8) as pool:
                started = time.monotonic()
                for number in range(self.opt.probes):
                    if stop_posting.wait(max(0.0, started + number * interval - time.monotonic())):
                        break
                    pool.submit(post, number)

        def watch() -> None:
            list_keys = [keys.home_timeline(follower) for follower in self.probe_followers]
            while not (stop_watching.is_set() and not pending):
                with lock:
                    outstanding = list(pending.items())
                for tweet_id, posted in outstanding:
                    if self._holding(tweet_id, list_keys) == len(list_keys):
                        with lock:
                            samples.append(time.monotonic() - posted)
                            del pending[tweet_id]
                time.sleep(0.002)

        poster, watcher = threading.Thread(target=schedule), threading.Thread(target=watch)
        poster.start()
        watcher.start()
        result = self.wrk(self.stack.url("gateway"), readers, "mixed", "/api/v1/timelines/home")
        poster.join()
        deadline = time.monotonic() + 10
        while pending and time.monotonic() < deadline:
            time.sleep(0.05)
        stop_watching.set()
        with lock:
            never = len(pending)
            pending.clear()
        watcher.join(5)
        samples.sort()
        result["probes_posted"] = len(samples) + never
        result["probes_failed"] = len(failed)
        result["probes_not_visible_in_10s"] = never
        result["visible_samples_ms"] = [round(s * 1000, 2) for s in samples]
        ordered = samples + [None] * never  # never visible counts as the slowest

        def at(share: float) -> float | None:
            value = ordered[min(len(ordered) - 1, int(len(ordered) * share))]
            return None if value is None else round(value * 1000, 1)

        if ordered:
            result["visible_p50_ms"], result["visible_p99_ms"] = at(0.5), at(0.99)
        result["read_rps"] = round(result["rps"] * 0.9, 1)
        self._scenario("mixed", result)

    def run_fanout(self) -> None:
        self.results["scenarios"]["fanout"] = self._fan_out(self.big_account, self.big_followers)

    def run_fanout_100k(self) -> None:
        """An account with `fans` followers, every one of them active (a home list in
        Redis), tweets once: measured until the last list holds the tweet. It is fanned out
        as any account below CELEBRITY_FOLLOWERS is (the benchmark's threshold is raised for
        it; a deployment keeping the default would merge it at read time)."""
        author, fans = self._seed_fans(self.opt.fans)
        result = self._fan_out(author, fans)
        self.results["scenarios"]["fanout_100k"] = result
        self._scenario(
            "fanout_100k",
            {
                "rps": result["entries_per_s"] or 0,
                "p50_ms": result["seconds"] * 1000,
                "p99_ms": result["seconds"] * 1000,
            },
        )
        self.results["scenarios"]["fanout_100k"] = result

    def _seed_fans(self, count: int) -> tuple[int, list[int]]:
        """`count` new users who follow one new account; each has a home list (active)."""
        started = time.monotonic()
        author = User.objects.create(username=f"fanout{new_id() % 10**9}", email=f"fanout.{new_id()}@example.com")
        ids = [new_id() for _ in range(count)]
        tag = new_id() % 1000  # usernames are unique and at most 15 characters
        with transaction.atomic(using=PRIMARY):
            users_bulk_load(
                (
                    BulkUser(
                        id=user_id,
                        username=f"fan{number}_{tag}",
                        email=f"fan{number}.{user_id}@example.com",
                        display_name=f"Fan {number}",
                        following_count=1,
                    )
                    for number, user_id in enumerate(ids)
                ),
                password_hash=UNUSABLE,
                joined=timezone.now(),
            )
            follows_bulk_load(((new_id(), user_id, author.pk) for user_id in ids), created_at=timezone.now())
            User.objects.filter(pk=author.pk).update(followers_count=count)
        services.celebrity_demote(user_id=author.pk)  # no other follower has a cached home yet
        client = get_redis()
        for start in range(0, count, 5000):
            pipe = client.pipeline(transaction=False)
            for user_id in ids[start : start + 5000]:
                pipe.rpush(keys.home_timeline(user_id), feeds.COMPLETE)  # follows one account with no tweets yet
                pipe.expire(keys.home_timeline(user_id), active_ttl_seconds())
                pipe.sadd(keys.home_state(user_id), LOADED)  # merges no celebrity
                pipe.expire(keys.home_state(user_id), active_ttl_seconds())
            pipe.execute()
        self.log(f"seeded {count} active followers of one account in {time.monotonic() - started:.1f}s")
        return author.pk, ids

    def _fan_out(self, author_id: int, followers: list[int]) -> dict[str, Any]:
        self._drain()
        active = feeds.existing_homes(followers)
        raw = self._raw_insert_speed(active)
        self.results["baselines"].setdefault("redis_raw_insert", {})[str(len(active))] = raw
        before = self._cpu()
        token = str(AccessToken.for_user(User.objects.get(pk=author_id)))
        response = requests.post(
            f"{self.stack.url('write-api')}/api/v1/tweets",
            json={"text": "to all my followers"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        posted = time.monotonic()
        tweet = int(response.json()["id"])
        # Progress is read on a sample (polling every list takes longer than the fan-out);
        # once the sample is complete, every list is checked.
        progress: list[tuple[float, int]] = []
        all_keys = [keys.home_timeline(user_id) for user_id in active]
        sample = self.rng.sample(all_keys, min(200, len(all_keys)))
        while time.monotonic() - posted < 60:
            count = self._holding(tweet, sample)
            elapsed = time.monotonic() - posted
            progress.append((round(elapsed, 4), round(count * len(all_keys) / len(sample))))
            if count == len(sample) and self._holding(tweet, all_keys) == len(all_keys):
                progress[-1] = (round(elapsed, 4), len(all_keys))
                break
            time.sleep(0.001)
        seconds = progress[-1][0]
        self._drain()
        spent = {name: round(after - before.get(name, 0), 3) for name, after in self._cpu().items()}
        result = {
            "followers": len(followers),
            "active_followers": len(active),
            "seconds": seconds,
            "entries_per_s": round(len(active) / seconds, 1) if seconds else None,
            "raw_entries_per_s": raw["entries_per_s"],
            "progress": progress,
            "delivered": progress[-1][1],
            "cpu_seconds": {name: value for name, value in spent.items() if value >= 0.005},
        }
        self.log(
            f"fan-out to {len(active)} active followers: {seconds:.3f}s ({result['entries_per_s']} entries/s;"
            f" raw pipelined {raw['entries_per_s']}/s)"
        )
        return result

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

    def check_timelines(self) -> None:
        """`manage.py check_timelines` on the users the write and mixed scenarios reached
        (a sample of the readers, who are the writers and their followers, and the probe's
        followers), once the worker is done."""
        self._drain()
        users = sorted(set(self.rng.sample(self.readers, min(1500, len(self.readers)))) | set(self.probe_followers))
        out = StringIO()
        call_command("check_timelines", users=users, show=5, stdout=out)
        report = out.getvalue().strip().splitlines()
        verdict = report[-1] if report else ""
        differing = int(verdict.split(" of ")[0]) if " of " in verdict else None
        self.results["check_timelines"] = {"users": len(users), "differing": differing, "output": report[-8:]}
        self.log(f"check_timelines: {verdict}")

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
            for name in SCENARIOS:
                if name in self.only:
                    getattr(self, f"run_{name}")()
            self.measure_memory()
            self.check_timelines()
            self.collect_metrics()
            self.measure_processes()
        finally:
            self.stack.stop()
            baselines.scratch_drop(self._database_url(PRIMARY), get_redis())
        (self.out / "results.json").write_text(json.dumps(self.results, indent=2, default=str))
        return self.results
