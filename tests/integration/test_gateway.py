"""Through the real nginx gateway, to write-API and read-API under granian."""

import json
import os
import socket
import time
from typing import Any

import pytest
import requests

from devstack import nginx
from devstack.procs import free_port
from tests.integration.conftest import start_api, wait_for_replica

pytestmark = [pytest.mark.integration, pytest.mark.replica]

ACCOUNT = {"username": "gateway_user", "email": "gw@example.com", "password": "Gateway-pass-2026"}


def test_gets_go_to_the_read_api_and_the_rest_to_the_write_api(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    registered = requests.post(f"{base}/api/v1/auth/register", json=ACCOUNT, timeout=10)
    assert registered.status_code == 201, registered.text
    assert registered.headers["X-Served-By"] == "write-api"
    user_id = registered.json()["id"]

    tokens = requests.post(
        f"{base}/api/v1/auth/token", json={"username": "GW@example.com", "password": ACCOUNT["password"]}, timeout=10
    )
    assert tokens.status_code == 200
    assert tokens.headers["X-Served-By"] == "write-api"
    auth = {"Authorization": f"Bearer {tokens.json()['access']}"}

    patched = requests.patch(f"{base}/api/v1/users/me", json={"bio": "via the gateway"}, headers=auth, timeout=10)
    assert patched.status_code == 200
    assert patched.headers["X-Served-By"] == "write-api"

    wait_for_replica()
    me = requests.get(f"{base}/api/v1/users/me", headers=auth, timeout=10)
    assert me.status_code == 200
    assert me.headers["X-Served-By"] == "read-api"
    assert me.json()["bio"] == "via the gateway"

    profile = requests.get(f"{base}/api/v1/users/{user_id}", timeout=10)
    assert profile.headers["X-Served-By"] == "read-api"
    assert profile.json()["username"] == "gateway_user"
    assert requests.head(f"{base}/health/live", timeout=10).headers["X-Served-By"] == "read-api"


def test_the_gateway_passes_request_ids_and_client_addresses(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    kept = requests.get(f"{base}/health/live", headers={"X-Request-ID": "trace-42"}, timeout=10)
    assert kept.headers["X-Request-ID"] == "trace-42"
    made = requests.get(f"{base}/health/live", timeout=10)
    assert len(made.headers["X-Request-ID"]) == 32  # nginx's $request_id
    assert made.headers["X-Gateway"] == "nginx"


def test_admin_pages_go_to_the_write_api_even_for_get(stack: dict[str, Any]) -> None:
    response = requests.get(f"{stack['gateway']}/admin/login/", timeout=10)
    assert response.status_code == 200
    assert response.headers["X-Served-By"] == "write-api"


def test_docs_and_readiness_through_the_gateway(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    docs = requests.get(f"{base}/api/docs/", timeout=10)
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    asset = requests.get(f"{base}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", timeout=10)
    assert asset.status_code == 200
    for page in (docs, requests.get(f"{base}/admin/login/", timeout=10)):
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
    # Readiness details are for probes that reach a process directly, not for the public.
    ready = requests.get(f"{stack['read']}/health/ready", timeout=10)
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"database", "replica", "redis", "broker"}


def test_malformed_requests_through_the_gateway_are_4xx(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    broken = requests.post(
        f"{base}/api/v1/auth/register", data="{oops", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "parse_error"
    unknown = requests.get(f"{base}/api/v1/users/424242", timeout=10)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "user_not_found"


@pytest.mark.django_db(transaction=True)
def test_a_read_api_with_a_dead_replica_still_answers(tmp_path: Any) -> None:
    from tests.factories import UserFactory

    user = UserFactory()
    dead = f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"
    process, port = start_api("read-api", tmp_path, REPLICA_DATABASE_URL=dead)
    try:
        for _ in range(3):
            response = requests.get(f"http://127.0.0.1:{port}/api/v1/users/{user.id}", timeout=10)
            assert response.status_code == 200
            assert response.json()["username"] == user.username
        ready = requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=10)
        assert ready.status_code == 200  # the primary still serves reads
        assert ready.json()["down"] == ["replica"]
    finally:
        process.stop()


def _assert_envelope(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    assert response.json()["error"]["code"] == code
    assert response.headers["X-Request-ID"]


def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes no HTTP library would send; return status, headers and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def test_internals_are_not_public_but_reachable_inside(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    for path in ("/metrics", "/metrics/", "/health/ready"):
        _assert_envelope(requests.get(f"{base}{path}", timeout=10), 404, "not_found")
        _assert_envelope(requests.post(f"{base}{path}", timeout=10), 404, "not_found")
    assert requests.get(f"{base}/health/live", timeout=10).status_code == 200
    for inside in (stack["write"], stack["read"]):
        assert "django_http_requests" in requests.get(f"{inside}/metrics", timeout=10).text
    # A POST to an internal page answers JSON, not Django's CSRF page.
    _assert_envelope(requests.post(f"{stack['write']}/health/ready", timeout=10), 403, "csrf_failed")


def test_what_nginx_answers_itself_is_a_json_envelope(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    port = int(base.rsplit(":", 1)[1])
    _assert_envelope(requests.get(f"{base}/api/v1/users/{'9' * 20_000}", timeout=10), 414, "uri_too_long")
    _assert_envelope(
        requests.get(f"{base}/api/v1/users/1", headers={"X-Big": "x" * 20_000}, timeout=10), 431, "headers_too_large"
    )
    status, headers, body = _raw(port, b"GARBAGE\x01 / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (status, json.loads(body)["error"]["code"]) == (400, "bad_request")
    too_big = b"POST /api/v1/media HTTP/1.1\r\nHost: x\r\nContent-Length: 11000000\r\nConnection: close\r\n\r\n"
    status, headers, body = _raw(port, too_big)
    assert (status, json.loads(body)["error"]["code"]) == (413, "payload_too_large")
    assert headers["content-type"].startswith("application/json")
    # The streaming process's own not-found, and the admin's CSRF refusal, are JSON too.
    _assert_envelope(requests.get(f"{base}/api/v1/streaming/nowhere", timeout=10), 404, "not_found")
    _assert_envelope(requests.post(f"{base}/admin/login/", data={"username": "a"}, timeout=10), 403, "csrf_failed")
    # No version banner.
    assert requests.get(f"{base}/health/live", timeout=10).headers["Server"] == "nginx"
    # An upstream that is down: a 502 envelope with Retry-After.
    streaming = next(process for process in stack["processes"] if process.name == "streaming")
    streaming.stop()
    down = requests.get(f"{base}/api/v1/streaming/home", timeout=10)
    _assert_envelope(down, 502, "bad_gateway")
    assert down.headers["Retry-After"] == "1"


def test_a_large_upload_answered_early_gets_that_answer(stack: dict[str, Any]) -> None:
    """An expired token on an 8 MB upload: the write-API answers 401 before reading the
    body; the client must get that 401, never nginx's 502."""
    expired = "Bearer " + "e30." * 3  # not a token: refused before the body is read
    body = os.urandom(8 * 1024 * 1024)
    for _ in range(5):
        response = requests.post(
            f"{stack['gateway']}/api/v1/media",
            files={"file": ("big.png", body, "image/png")},
            headers={"Authorization": expired},
            timeout=30,
        )
        _assert_envelope(response, 401, "token_not_valid")


def test_query_strings_never_reach_the_access_log(stack: dict[str, Any]) -> None:
    secret = "tok" + os.urandom(8).hex()
    requests.get(f"{stack['gateway']}/api/v1/streaming/home?access_token={secret}", timeout=10)
    requests.get(f"{stack['gateway']}/health/live?access_token={secret}", timeout=10)
    path = stack["log_dir"] / "nginx" / "access.log"
    deadline = time.monotonic() + 10  # nginx writes a request's line after its response
    log = path.read_text()
    while "/health/live" not in log and time.monotonic() < deadline:
        time.sleep(0.01)
        log = path.read_text()
    assert "/health/live" in log
    assert secret not in log


def test_the_gateway_limits_requests_per_address(stack: dict[str, Any], tmp_path: Any) -> None:
    write, read, streaming = (stack[name].rsplit(":", 1)[1] for name in ("write", "read", "streaming"))
    port = free_port()
    gateway = nginx.start(
        tmp_path / "tight",
        gateway_port=port,
        write_addr=f"127.0.0.1:{write}",
        read_addr=f"127.0.0.1:{read}",
        streaming_addr=f"127.0.0.1:{streaming}",
        limits=nginx.Limits(requests_per_second=1, burst=2, connections=10),
    )
    try:
        responses = [requests.get(f"http://127.0.0.1:{port}/health/live", timeout=10) for _ in range(8)]
        refused = [r for r in responses if r.status_code == 429]
        assert refused, [r.status_code for r in responses]
        _assert_envelope(refused[0], 429, "throttled")
        assert refused[0].headers["Retry-After"] == "1"
    finally:
        gateway.stop()
