"""The public contract, fuzzed from outside: schemathesis generates requests from the
OpenAPI schemas the gateway serves (the native API's, and the Mastodon-compatible
origin's) and checks every answer against them (no server error, the documented status
codes, content types and response schemas), anonymous and signed in. Any finding fails
the suite."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from rest_framework_simplejwt.tokens import AccessToken

from apps.mastodon import oauth
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.replica, pytest.mark.single_redis]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        # A method an operation does not list is a 405 whose Allow names the ones it does.
        "unsupported_method",
        "allow_header_conformance",
    ]
)
MAX_EXAMPLES = 25
# The Mastodon-compatible origin is a facade over the same services: fewer cases each
# (requests are paced under the gateway's limit, so cases are time).
MAX_EXAMPLES_MASTODON = 10
# Streams never end by themselves: they are fuzzed anonymously (refused at once) and
# tested signed in by tests/integration/test_streaming.py.
ENDLESS = "^/api/v1/streaming/"


def _fuzz(schema_url: str, base: str, report: Path, examples: int, *extra: str) -> tuple[int, str]:
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        schema_url,
        "--url",
        base,
        "--checks",
        CHECKS,
        "--max-examples",
        str(examples),
        "--seed",
        "20261130",
        "--request-timeout",
        "20",
        # One worker: with two, schemathesis compiled code in two threads at once and
        # Python 3.11 failed inside it now and then ("SystemError: AST constructor recursion
        # depth mismatch", a run error, not a finding about the API).
        "--workers",
        "1",
        # Under the gateway's per-address limit, so requests reach the APIs.
        "--rate-limit",
        "40/s",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        *extra,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    return result.returncode, result.stdout + result.stderr


def _summary(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return "\n".join(lines[-25:])


def _findings(output: str) -> str:
    """The failures schemathesis found (each with its request), then its summary."""
    found = output.partition("= FAILURES =")[2].partition("= SUMMARY =")[0]
    return found[:12_000] + "\n" + _summary(output)


def _fuzz_both_ways(schema_url: str, base: str, tmp_path: Path, token: str, endless: str, examples: int) -> None:
    anonymous_code, anonymous = _fuzz(schema_url, base, tmp_path / "anonymous.ndjson", examples)
    signed_code, signed = _fuzz(
        schema_url,
        base,
        tmp_path / "signed.ndjson",
        examples,
        "--header",
        f"Authorization: Bearer {token}",
        "--exclude-path-regex",
        endless,
    )
    print(f"\nschemathesis at {base}, anonymous:\n" + _summary(anonymous))  # noqa: T201
    print(f"schemathesis at {base}, signed in:\n" + _summary(signed))  # noqa: T201
    assert anonymous_code == 0, _findings(anonymous)
    assert signed_code == 0, _findings(signed)


def test_the_gateway_schema_holds_under_fuzzing(
    stack: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = stack["gateway"]
    schema_url = f"{base}/api/schema/?format=json"
    schema = requests.get(schema_url, timeout=20).json()
    paths = schema["paths"]
    # The whole API: writes, reads and streams, in one schema.
    assert {"/api/v1/tweets", "/api/v1/timelines/home", "/api/v1/streaming/home", "/api/v1/media"} <= set(paths)
    assert "post" in paths["/api/v1/tweets"]
    assert "get" in paths["/api/v1/timelines/home"]

    user = UserFactory()
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(hours=1))

    with capsys.disabled():  # the stage's report, in every run's output
        _fuzz_both_ways(schema_url, base, tmp_path, str(token), ENDLESS, MAX_EXAMPLES)


def test_the_mastodon_origin_schema_holds_under_fuzzing(
    stack: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = stack["mastodon"]
    schema_url = f"{base}/api/schema?format=json"
    paths = requests.get(schema_url, timeout=20).json()["paths"]
    assert {"/api/v1/statuses", "/api/v1/timelines/home", "/oauth/token", "/api/v1/streaming/user"} <= set(paths)

    scopes = ["read", "write", "follow", "push"]
    application, _ = oauth.app_register(name="fuzzer", redirect_uris=[oauth.OOB], scopes=scopes, website="")
    _, token = oauth.token_issue(application=application, user_id=UserFactory().pk, scopes=scopes)
    with capsys.disabled():
        # Streams (and the WebSocket) never end by themselves: anonymous only (refused at once).
        _fuzz_both_ways(schema_url, base, tmp_path, token, "^/api/v1/streaming", MAX_EXAMPLES_MASTODON)
