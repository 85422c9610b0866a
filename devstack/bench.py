"""`make bench`: services for the benchmark, then `manage.py bench`, then clean-up.

Like `make test`, it makes its own Postgres primary and streaming replica (unless
DATABASE_URL and REPLICA_DATABASE_URL are given), uses the local Redis (database 12) or
REDIS_URL, starts a Redis Cluster of three masters for the read_warm_cluster scenario
(unless BENCH_REDIS_CLUSTER_URL names one), installs wrk and nginx when missing, and
stops what it started.
"""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from devstack import nginx
from devstack.postgres import PrimaryWithReplica
from devstack.procs import port_open
from devstack.redis import Cluster

ROOT = Path(__file__).resolve().parent.parent


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("devstack: installing wrk (Debian package)...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: install it (e.g. `apt-get install wrk`) and try again")


def main(args: list[str]) -> int:
    ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="twitter-bench-"))
    work.chmod(0o755)
    cluster: PrimaryWithReplica | None = None
    redis_cluster: Cluster | None = None
    try:
        env = dict(os.environ)
        if not (env.get("DATABASE_URL") and env.get("REPLICA_DATABASE_URL")):
            cluster = PrimaryWithReplica(work / "pg")
            cluster.start()
            env["DATABASE_URL"] = f"{cluster.primary.url_base}/twitter"
            env["REPLICA_DATABASE_URL"] = f"{cluster.replica.url_base}/twitter"
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys; from devstack.postgres import ensure_database as e; e(sys.argv[1])",
                    env["DATABASE_URL"],
                ],
                check=True,
                cwd=ROOT,
                env=env,
            )
        if not env.get("REDIS_URL"):
            if not port_open("127.0.0.1", 6379):
                raise RuntimeError("the benchmark needs Redis: set REDIS_URL or run one on 127.0.0.1:6379")
            env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
            subprocess.run(["redis-cli", "-n", "12", "flushdb"], check=False, stdout=subprocess.DEVNULL)
        env.setdefault("CELERY_BROKER_URL", env["REDIS_URL"])
        if not env.get("BENCH_REDIS_CLUSTER_URL"):
            redis_cluster = Cluster(work / "redis-cluster")
            redis_cluster.start()
            env["BENCH_REDIS_CLUSTER_URL"] = redis_cluster.url
        env.setdefault("JWT_ACCESS_SECONDS", "7200")
        # Rate limits counted as in production (their cost is part of every figure) but a
        # thousand times higher: a few accounts make all of the benchmark's load.
        env.setdefault("RATE_LIMIT_SCALE", "1000")
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
        env.setdefault("JWT_SIGNING_KEY", secrets.token_urlsafe(48))
        env.setdefault("DB_POOL_MAX_SIZE", "16")
        env["DATA_DIR"] = str(work / "data")
        env["NGINX_BIN"] = nginx.nginx_binary(install=True)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, cwd=ROOT, env=env)
        return subprocess.call([*manage, "bench", *args], cwd=ROOT, env=env)
    finally:
        if redis_cluster is not None:
            redis_cluster.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
