"""`EMBEDDED_SERVICES=1 make run` on a machine with nothing to lean on: embedded Postgres
(with the extensions search needs) and Redis, its own data folder and ports, served to a
user through its gateway, then stopped with Ctrl-C."""

import contextlib
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests

from config.secrets import PUBLIC_KEYS
from devstack import supervise
from devstack.procs import Process, free_port, port_open
from tests.integration.conftest import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.single_redis,
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
# What the test run itself uses, which the embedded run must not see.
NOT_INHERITED = {
    "DATABASE_URL",
    "REPLICA_DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "JWT_SIGNING_KEY",
    "DJANGO_SETTINGS_MODULE",
    "DATA_DIR",
    "MOTO_S3_URL",
}

# Every port `make run` listens on, spare ones here: a `make run` beside the suite keeps its own.
_PORTS = ("GATEWAY_PORT", "MASTODON_PORT", "WRITE_API_PORT", "READ_API_PORT", "STREAMING_PORT", "WORKER_METRICS_PORT")


@pytest.fixture
def embedded_run() -> Iterator[dict[str, str]]:
    # Not under pytest's private tmp: the embedded Postgres runs as its own OS user.
    data = Path(tempfile.mkdtemp(prefix="twitter-embedded-"))
    data.chmod(0o755)
    ports = {name: str(free_port()) for name in _PORTS}
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env |= {"EMBEDDED_SERVICES": "1", "DATA_DIR": str(data), "API_WORKERS": "1", "WORKER_CONCURRENCY": "1", **ports}
    run = Process(
        "make-run",
        [sys.executable, "-m", "devstack.run"],
        log_path=data / "make-run.log",
        env=env,
        cwd=ROOT,
        stop_signal=signal.SIGINT,  # Ctrl-C
    )
    base = f"http://127.0.0.1:{ports['GATEWAY_PORT']}"
    try:

        def live() -> bool:
            """Both APIs answer through the gateway: GETs go to the read-API and other
            methods to the write-API, which may start later (a 502 until it listens)."""
            assert run.alive(), run.tail(60)
            with contextlib.suppress(requests.ConnectionError):
                read = requests.get(f"{base}/health/live", timeout=5)
                write = requests.post(f"{base}/health/live", timeout=5)
                return read.status_code == 200 and write.headers.get("X-Served-By") == "write-api"
            return False

        eventually(live, timeout=240, what="the embedded run's gateway and both APIs")
        yield {"base": base, "data": str(data), **ports}
    finally:
        run.stop(timeout=90)
        log = run.tail(40)
        shutil.rmtree(data, ignore_errors=True)
    assert not any(port_open("127.0.0.1", int(port)) for port in ports.values()), log


def test_the_embedded_run_serves_users_and_restarts_a_crashed_worker(embedded_run: dict[str, str]) -> None:
    api = f"{embedded_run['base']}/api/v1"
    account = {"username": "embedded", "email": "embedded@example.com", "password": "Embedded-pass-2026"}
    assert requests.post(f"{api}/auth/register", json=account, timeout=20).status_code == 201
    tokens = requests.post(f"{api}/auth/token", json=account, timeout=20).json()
    auth = {"Authorization": f"Bearer {tokens['access']}"}
    posted = requests.post(f"{api}/tweets", json={"text": "hello from an embedded #stack"}, headers=auth, timeout=20)
    assert posted.status_code == 201, posted.text
    home = requests.get(f"{api}/timelines/home", headers=auth, timeout=20)
    assert [tweet["id"] for tweet in home.json()] == [posted.json()["id"]]
    # Search works: the embedded Postgres has pg_trgm.
    eventually(
        lambda: requests.get(f"{api}/search", params={"q": "#stack"}, timeout=20).json(), what="the tweet in search"
    )
    found = requests.get(f"{api}/search", params={"q": "embed", "type": "users"}, timeout=20).json()
    assert [user["username"] for user in found] == ["embedded"]

    # Its keys were made for it, are private, and nothing signed with a public one passes.
    keys = Path(embedded_run["data"]) / "secrets.env"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    made = dict(line.split("=", 1) for line in keys.read_text().splitlines() if not line.startswith("#"))
    assert set(made) == {"SECRET_KEY", "JWT_SIGNING_KEY"}
    assert not set(made.values()) & PUBLIC_KEYS
    user_id = posted.json()["author"]["id"]
    for key in [*PUBLIC_KEYS, secrets.token_urlsafe(48)]:
        claims = {"token_type": "access", "user_id": int(user_id), "jti": "f", "iat": int(time.time())}
        forged = jwt.encode({**claims, "exp": int(time.time()) + 300}, key)
        response = requests.get(f"{api}/users/me", headers={"Authorization": f"Bearer {forged}"}, timeout=20)
        assert response.status_code == 401, key

    # A follower gets new tweets through the worker; SIGKILLed, the worker is restarted by
    # the supervisor (the rest of the stack keeps serving) and delivers the next tweet.
    fan = {"username": "fan", "email": "fan@example.com", "password": "Embedded-pass-2026"}
    assert requests.post(f"{api}/auth/register", json=fan, timeout=20).status_code == 201
    fan_auth = {"Authorization": f"Bearer {requests.post(f'{api}/auth/token', json=fan, timeout=20).json()['access']}"}
    assert requests.post(f"{api}/users/{user_id}/follow", headers=fan_auth, timeout=20).status_code in (200, 201)
    assert requests.get(f"{api}/timelines/home", headers=fan_auth, timeout=20).status_code == 200

    conf = str(Path(embedded_run["data"]) / supervise.CONF_NAME)

    def worker_pid() -> int:
        out = subprocess.run(supervise.supervisorctl_argv(Path(conf), "pid", "worker"), capture_output=True, text=True)
        return int(out.stdout.strip()) if out.stdout.strip().isdigit() else 0

    crashed = worker_pid()
    assert crashed
    os.killpg(os.getpgid(crashed), signal.SIGKILL)
    eventually(lambda: worker_pid() not in (0, crashed), timeout=60, what="the worker restarted")
    assert requests.get(f"{embedded_run['base']}/health/live", timeout=5).status_code == 200
    after = requests.post(f"{api}/tweets", json={"text": "after the crash"}, headers=auth, timeout=20).json()["id"]

    def fan_sees_it() -> bool:
        home = requests.get(f"{api}/timelines/home", headers=fan_auth, timeout=20).json()
        return after in [tweet["id"] for tweet in home]

    eventually(fan_sees_it, timeout=60, what="the tweet delivered by the restarted worker")
