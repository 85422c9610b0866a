"""A throwaway Postgres primary and a real streaming replica of it (pg_basebackup)."""

import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from devstack.procs import Process, free_port

SERVER_SETTINGS = [
    "listen_addresses=127.0.0.1",
    "max_connections=300",
    "wal_level=replica",
    "max_wal_senders=5",
    "hot_standby=on",
    "hot_standby_feedback=on",
    # A test cluster: durability traded for speed (never for real data).
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
]


def pg_bindir() -> Path:
    """Server binaries: the machine's newest PostgreSQL, else the ones pgserver ships."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_basebackup").exists():
            return bindir
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = Path(subprocess.check_output([pg_config, "--bindir"], text=True).strip())
        if (bindir / "initdb").exists():
            return bindir
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def server_user() -> str | None:
    """Postgres refuses to run as root: run it as `postgres` (created if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], check=True
        )
    return "postgres"


def _own(path: Path, user: str | None) -> None:
    if user is not None:
        shutil.chown(path, user=user, group=pwd.getpwnam(user).pw_gid)


def wait_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=1):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@dataclass
class Cluster:
    name: str
    datadir: Path
    port: int
    process: Process | None = None

    @property
    def url_base(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def start(self, bindir: Path, user: str | None, log_dir: Path) -> None:
        argv = [str(bindir / "postgres"), "-D", str(self.datadir), "-p", str(self.port), "-k", str(self.datadir)]
        for setting in SERVER_SETTINGS:
            argv += ["-c", setting]
        # SIGINT: Postgres "fast" shutdown (disconnect clients, stop cleanly).
        self.process = Process(
            f"postgres-{self.name}",
            argv,
            log_path=log_dir / f"postgres-{self.name}.log",
            user=user,
            stop_signal=signal.SIGINT,
        )
        wait_ready(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout=30)


class PrimaryWithReplica:
    """initdb a primary on a spare port, pg_basebackup it into streaming replicas (one by
    default): `replica`, then `replica2`, ..."""

    def __init__(self, root: Path, *, replicas: int = 1) -> None:
        self.root = root
        self.bindir = pg_bindir()
        self.user = server_user()
        self.primary = Cluster("primary", root / "primary", free_port())
        names = ["replica", *(f"replica{n}" for n in range(2, replicas + 1))]
        self.replicas = [Cluster(name, root / name, free_port()) for name in names]

    @property
    def replica(self) -> Cluster:
        return self.replicas[0]

    def _run(self, *argv: str) -> None:
        result = subprocess.run(argv, check=False, user=self.user, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed ({result.returncode}):\n{result.stderr}")

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        _own(self.root, self.user)
        self._run(
            str(self.bindir / "initdb"),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
            "-D",
            str(self.primary.datadir),
        )
        self.primary.start(self.bindir, self.user, self.root)
        for replica in self.replicas:
            replica.datadir.mkdir(mode=0o700)
            _own(replica.datadir, self.user)
            self._run(
                str(self.bindir / "pg_basebackup"),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.primary.port),
                "-U",
                "postgres",
                "-D",
                str(replica.datadir),
            )
            replica.start(self.bindir, self.user, self.root)

    def stop(self) -> None:
        for replica in self.replicas:
            replica.stop()
        self.primary.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def ensure_database(url: str) -> None:
    """Create the database named in `url` on its server when it does not exist yet."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = str(info.get("dbname") or "postgres")
    info["dbname"] = "postgres"
    with psycopg.connect(psycopg.conninfo.make_conninfo("", **info), autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
