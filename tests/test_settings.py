"""Settings as a stranger meets them: keys that must be given, .env.example as a .env, the
deploy profile, tokens forged with any key the repository holds."""

import json
import re
import secrets
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from rest_framework.test import APIClient

from config.secrets import PUBLIC_KEYS
from tests.conftest import authorize
from tests.factories import UserFactory

# Independent of where application data lives: the single-Redis pass only.
pytestmark = pytest.mark.single_redis

ROOT = Path(__file__).resolve().parent.parent
ROLES = ["config.settings.write", "config.settings.read", "config.settings.worker", "config.settings.streaming"]

DUMP = """
import json
from django.conf import settings

names = sorted(name for name in dir(settings) if name.isupper())
print(json.dumps({name: repr(getattr(settings, name)) for name in names}))
"""


def good_keys() -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(48), "JWT_SIGNING_KEY": secrets.token_urlsafe(48)}


def run_python(code: str, *, settings_module: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter with only the given environment (no DATABASE_URL and
    the like from the test run), so files and defaults decide every setting."""
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({}, id="missing"),
        pytest.param({"SECRET_KEY": "short-but-random-7f3a"}, id="short"),
        pytest.param({"SECRET_KEY": "django-insecure-local-development-key-change-me"}, id="old-settings-default"),
        pytest.param({"SECRET_KEY": "change-me-in-production-please-0123456789"}, id="old-compose-default"),
        pytest.param({"JWT_SIGNING_KEY": "x" * 64}, id="one-character"),
        pytest.param({"SAME": "1"}, id="same-key-twice"),
    ],
)
def test_every_role_refuses_to_start_without_good_keys(role: str, bad: dict[str, str]) -> None:
    keys = good_keys()
    if bad.pop("SAME", None):
        keys["JWT_SIGNING_KEY"] = keys["SECRET_KEY"]
    elif not bad:
        keys.pop("SECRET_KEY")
    result = run_python("", settings_module=role, **{**keys, **bad})
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr
    assert run_python("", settings_module=role, **good_keys()).returncode == 0


def test_env_example_copied_to_env_gives_the_defaults(tmp_path: Path) -> None:
    """A copy of the project with .env.example as its .env: every setting as without it
    (so each value in the file is the default and is read as written)."""
    for name in ("config", "twitter", "apps"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    keys = good_keys()
    without = run_python(DUMP, settings_module="config.settings.write", cwd=tmp_path, **keys)
    assert without.returncode == 0, without.stderr
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    with_file = run_python(DUMP, settings_module="config.settings.write", cwd=tmp_path, **keys)
    assert with_file.returncode == 0, with_file.stderr
    defaults, from_file = json.loads(without.stdout), json.loads(with_file.stdout)
    assert {name: from_file[name] for name in defaults if from_file[name] != defaults[name]} == {}
    # The comparison covered the file: it sets the many variables it documents.
    variables = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE)
    assert len(variables) > 40


def test_the_deploy_profile_passes_check_deploy_with_no_warnings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.write",
            "TLS": "true",
            "ALLOWED_HOSTS": "twitter.example.com",
            # Django's user-model check builds a User, whose id default would lease a
            # snowflake worker id from a database this check has no need of.
            "SNOWFLAKE_WORKER_ID": "0",
            **good_keys(),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def repository_keys() -> set[str]:
    """Every key the repository ships or ever shipped, and every value assigned to a key
    variable in its files."""
    found = set(PUBLIC_KEYS)
    pattern = re.compile(r"(?:SECRET_KEY|SIGNING_KEY)\W{1,4}(?:\$\{SECRET_KEY:-)?([A-Za-z0-9_\-]{8,})")
    for path in [ROOT / "compose.yaml", ROOT / ".env.example", *ROOT.glob("config/**/*.py"), *ROOT.glob("docker/*")]:
        if path.is_file():
            found.update(pattern.findall(path.read_text(errors="replace")))
    return found


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the public keys are short
def test_a_token_forged_with_any_repository_key_is_refused(write_api: APIClient, read_api: APIClient) -> None:
    staff = UserFactory(is_staff=True, is_superuser=True)
    keys = repository_keys()
    assert "django-insecure-local-development-key-change-me" in keys
    claims = {"token_type": "access", "user_id": staff.pk, "jti": "forged", "iat": 0}
    for key in keys:
        forged = jwt.encode({**claims, "exp": int(time.time() + timedelta(hours=1).total_seconds())}, key)
        read = authorize(read_api, forged).get("/api/v1/users/me")
        written = authorize(write_api, forged).patch("/api/v1/users/me", {"bio": "pwned"}, format="json")
        assert (read.status_code, written.status_code) == (401, 401), key
    staff.refresh_from_db()
    assert staff.bio == ""
