"""The nginx gateway for local runs and tests, from the same template compose uses."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from devstack.debian import debian_binary
from devstack.procs import Process, free_port

TEMPLATE = Path(__file__).resolve().parent.parent / "docker" / "nginx" / "gateway.conf.template"

MAIN_CONF = """\
daemon off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
$user_line
events {
    worker_connections $worker_connections;
}
http {
    access_log $prefix/access.log;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    include $prefix/gateway.conf;
}
"""


def nginx_binary(*, install: bool = True) -> str:
    return debian_binary("nginx", "nginx-light", install=install)


@dataclass(frozen=True)
class Limits:
    """The gateway's per-IP first line (the APIs keep the real budgets). The benchmark
    loads the gateway from one address, so it lifts them."""

    requests_per_second: int = 50
    burst: int = 200
    connections: int = 200


BENCHMARK_LIMITS = Limits(requests_per_second=1_000_000, burst=1_000_000, connections=8_000)


def render(
    prefix: Path,
    *,
    gateway_port: int,
    write_addr: str,
    read_addr: str,
    streaming_addr: str,
    mastodon_port: int | None = None,
    limits: Limits = Limits(),
) -> Path:
    """Write nginx.conf + gateway.conf into `prefix`; return the main config's path. The
    Mastodon-compatible origin listens on `mastodon_port` (a free port when not given)."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    gateway = Template(TEMPLATE.read_text()).safe_substitute(
        GATEWAY_PORT=f"127.0.0.1:{gateway_port}",
        MASTODON_PORT=f"127.0.0.1:{mastodon_port or free_port()}",
        WRITE_API_ADDR=write_addr,
        READ_API_ADDR=read_addr,
        STREAMING_ADDR=streaming_addr,
        ACCESS_LOG=str(prefix / "access.log"),
        GATEWAY_RATE=limits.requests_per_second,
        GATEWAY_BURST=limits.burst,
        GATEWAY_CONNECTIONS=limits.connections,
    )
    (prefix / "gateway.conf").write_text(gateway)
    # Run as root, nginx's workers would drop to `nobody`, who cannot reach temp dirs
    # under a private parent (pytest's, or a clone in root's home): large request bodies,
    # spooled to disk, would then fail. These are local, loopback-only gateways: the
    # workers keep the invoking user.
    user_line = "user root;" if os.geteuid() == 0 else ""
    main = Template(MAIN_CONF).substitute(
        prefix=str(prefix), user_line=user_line, worker_connections=max(1024, limits.connections * 2 + 256)
    )
    conf = prefix / "nginx.conf"
    conf.write_text(main)
    return conf


def argv(conf: Path) -> list[str]:
    return [nginx_binary(), "-p", str(conf.parent), "-c", str(conf)]


def start(prefix: Path, *, gateway_port: int, **upstreams_and_limits: Any) -> Process:
    """Render (see `render` for the arguments), check and start the gateway."""
    conf = render(prefix, gateway_port=gateway_port, **upstreams_and_limits)
    subprocess.run([*argv(conf), "-t", "-q"], check=True)
    process = Process("nginx", argv(conf), log_path=prefix / "nginx.out")
    process.wait_for_port(gateway_port)
    return process
