"""Through the real nginx gateway, to write-API and read-API under granian."""

from typing import Any

import pytest
import requests

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
    ready = requests.get(f"{base}/health/ready", timeout=10)
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
