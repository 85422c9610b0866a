"""`make run`: the whole platform on this machine, stopped with Ctrl-C.

Uses DATABASE_URL / REDIS_URL when given, else the services on their default local
ports, else embedded ones; migrates; starts write-API, read-API, worker, beat and the
nginx gateway (Procfile) under supervisord, which restarts any of them that crashes.
"""

import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from devstack import nginx, supervise
from devstack.services import resolve_database, resolve_redis

ROOT = Path(__file__).resolve().parent.parent


KEY_NAMES = ("SECRET_KEY", "JWT_SIGNING_KEY")


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")
    return {name.strip(): value.strip() for name, value in pairs}


def _write_private(path: Path, values: dict[str, str], header: str) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(header + "".join(f"{name}={value}\n" for name, value in values.items()))


def signing_keys(data_dir: Path) -> dict[str, str]:
    """The keys this installation signs with: from the environment when set, else made at
    random on the first run and kept (readable by this user only) in the data folder."""
    path = data_dir / "secrets.env"
    kept = _read_env_file(path)
    made = {name: secrets.token_urlsafe(48) for name in KEY_NAMES if name not in kept}
    if made:
        header = "# Signing keys of this installation, made by `make run`. Keep private.\n"
        _write_private(path, {**kept, **made}, header)
    return {name: os.environ.get(name) or kept.get(name) or made[name] for name in KEY_NAMES}


def _stop_like_ctrl_c(signum: int, frame: object) -> None:
    """SIGTERM (a supervisor, `timeout`, a test) stops everything as Ctrl-C does."""
    raise KeyboardInterrupt


def _allow_many_open_files() -> None:
    """Every open stream is a socket: let the processes started here open as many files
    as the hard limit allows (they inherit the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))


def _metrics_dirs(data_dir: Path) -> Path:
    """A Prometheus multiprocess directory per role, emptied at each start (a role's
    processes add up their samples there: twitter.metrics)."""
    root = data_dir / "metrics"
    shutil.rmtree(root, ignore_errors=True)
    for role in supervise.procfile(ROOT / "Procfile"):
        (root / role).mkdir(parents=True)
    return root


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    _allow_many_open_files()
    data_dir = Path(os.environ.get("DATA_DIR", ROOT / ".data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    gateway_port = int(os.environ.get("GATEWAY_PORT", "8000"))
    mastodon_port = int(os.environ.get("MASTODON_PORT", "8010"))
    write_port = int(os.environ.get("WRITE_API_PORT", "8001"))
    read_port = int(os.environ.get("READ_API_PORT", "8002"))
    streaming_port = int(os.environ.get("STREAMING_PORT", "8003"))
    worker_metrics_port = int(os.environ.get("WORKER_METRICS_PORT", "8005"))

    database_url, stop_database = resolve_database(data_dir)
    redis_url, stop_redis = resolve_redis(data_dir)
    try:
        stack = {
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "REPLICA_DATABASE_URL": os.environ.get("REPLICA_DATABASE_URL", ""),
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", redis_url),
            **signing_keys(data_dir),
        }
        # What `ENV_FILE=.data/run.env python manage.py ...` needs to reach this stack.
        header = "# The services `make run` is using now (rewritten at each start).\n"
        _write_private(data_dir / "run.env", stack, header)
        env = {
            **os.environ,
            **stack,
            "WRITE_API_PORT": str(write_port),
            "READ_API_PORT": str(read_port),
            "STREAMING_PORT": str(streaming_port),
            "WORKER_METRICS_PORT": str(worker_metrics_port),
            "METRICS_DIR": str(_metrics_dirs(data_dir)),
            "API_WORKERS": os.environ.get("API_WORKERS", "2"),
            "API_THREADS": os.environ.get("API_THREADS", "4"),
            "WORKER_CONCURRENCY": os.environ.get("WORKER_CONCURRENCY", "2"),
            "LOG_FORMAT": os.environ.get("LOG_FORMAT", "console"),  # readable in a terminal
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            check=True,
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.write"},
        )
        prefix = data_dir / "nginx"
        conf = nginx.render(
            prefix,
            gateway_port=gateway_port,
            mastodon_port=mastodon_port,
            write_addr=f"127.0.0.1:{write_port}",
            read_addr=f"127.0.0.1:{read_port}",
            streaming_addr=f"127.0.0.1:{streaming_port}",
        )
        env["NGINX_BIN"] = nginx.nginx_binary()
        env["NGINX_PREFIX"] = str(conf.parent)
        print(
            f"\n  twitter is starting:\n"
            f"    gateway    http://127.0.0.1:{gateway_port}/   (API docs: /api/docs/, admin: /admin/)\n"
            f"    Mastodon   http://127.0.0.1:{mastodon_port}/   (the Mastodon-compatible API, for Mastodon apps)\n"
            f"    write-API  http://127.0.0.1:{write_port}/\n"
            f"    read-API   http://127.0.0.1:{read_port}/\n"
            f"    streaming  http://127.0.0.1:{streaming_port}/api/v1/streaming/   (Server-Sent Events)\n"
            f"    metrics    http://127.0.0.1:{{{write_port},{read_port},{streaming_port},{worker_metrics_port}}}/metrics"
            "   (write-API, read-API, streaming, worker)\n"
            f"    database   {database_url}\n    redis      {redis_url}\n"
            f"  Operator commands against this stack: ENV_FILE={data_dir / 'run.env'} .venv/bin/python manage.py ...\n"
            f"  A process that crashes is restarted; their state:"
            f" .venv/bin/supervisorctl -c {data_dir / supervise.CONF_NAME} status\n"
            f"  Ctrl-C stops everything.\n",
            flush=True,
        )
        conf = supervise.write_config(ROOT / "Procfile", data_dir, ROOT)
        supervisor = subprocess.Popen(supervise.supervisord_argv(conf), cwd=ROOT, env=env)
        try:
            return supervisor.wait()
        except KeyboardInterrupt:
            supervisor.send_signal(signal.SIGTERM)  # stops every program, then itself
            return supervisor.wait()
    finally:
        stop_redis()
        stop_database()


if __name__ == "__main__":
    sys.exit(main())
