"""OAuth 2 for Mastodon clients: app registration, the sign-in and consent pages, the
authorization code with PKCE and out-of-band redirect, client credentials and account
registration, refresh and revocation, scopes."""

import base64
import hashlib
import html
import re
import secrets
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.mastodon import oauth
from tests.factories import PASSWORD, UserFactory
from tests.mastodon.conftest import MastodonRead, MastodonWrite, client_credentials, register_app

pytestmark = pytest.mark.django_db(transaction=True)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _form(page: bytes) -> dict[str, str]:
    found = re.findall(rb'name="([^"]+)" value="([^"]*)"', page)
    return {name.decode(): html.unescape(value.decode()) for name, value in found}


def _authorize(client: APIClient, app: dict[str, Any], user: Any, **extra: str) -> str:
    """Walk the sign-in (when not signed in) and consent pages as a browser; return the
    code the out-of-band page shows."""
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": oauth.OOB, "scope": "read write"}
    query.update(extra)
    consent = client.get("/oauth/authorize", query)
    if consent.status_code == 302:
        assert consent["Location"].startswith("/auth/sign_in?next="), consent
        sign_in = client.get(consent["Location"])
        assert sign_in.status_code == 200
        assert b"csrfmiddlewaretoken" in sign_in.content
        signed = client.post(
            "/auth/sign_in", {**_form(sign_in.content), "username": user.username, "password": PASSWORD}
        )
        assert signed.status_code == 302, signed.content
        consent = client.get(signed["Location"])
    assert consent.status_code == 200, consent.content
    assert b"Authorize tests?" in consent.content, consent.content
    shown = client.post("/oauth/authorize", {**_form(consent.content), "allow": "Authorize"})
    assert shown.status_code == 200, shown.content
    code = re.search(rb'id="authorization-code">([^<]+)<', shown.content)
    assert code is not None
    return code.group(1).decode()


def test_the_authorization_code_flow_with_pkce_gives_a_token_that_works_on_both_apis() -> None:
    user = UserFactory()
    browser = MastodonWrite(enforce_csrf_checks=True)
    app = register_app(MastodonWrite())
    verifier, challenge = _pkce()
    code = _authorize(browser, app, user, code_challenge=challenge, code_challenge_method="S256")

    wrong = MastodonWrite().post(
        "/oauth/token",
        {"grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
         "client_secret": app["client_secret"], "redirect_uri": oauth.OOB, "code_verifier": "x" * 50},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    code = _authorize(browser, app, user, code_challenge=challenge, code_challenge_method="S256")
    token = MastodonWrite().post(
        "/oauth/token",
        {"grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
         "client_secret": app["client_secret"], "redirect_uri": oauth.OOB, "code_verifier": verifier},
    )  # fmt: skip
    assert token.status_code == 200, token.content
    body = token.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read write"
    assert body["refresh_token"]

    read = MastodonRead()
    read.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    me = read.get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 200, me.content
    assert me.json()["username"] == user.username
    assert me.json()["acct"] == user.username

    native = APIClient()
    native.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert native.get("/api/v1/users/me").status_code == 401  # an OAuth token is for this API only


def test_a_denied_consent_gives_no_code() -> None:
    user = UserFactory()
    browser = MastodonWrite()
    browser.force_login(user)
    app = register_app(MastodonWrite())
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": oauth.OOB, "scope": "read"}
    consent = browser.get("/oauth/authorize", query)
    form = _form(consent.content)
    del form["allow"]  # the other button: a browser sends only the one pressed
    denied = browser.post("/oauth/authorize", form)
    assert denied.status_code == 400, denied.content
    assert b"access_denied" in denied.content, denied.content


def test_an_app_may_not_ask_for_scopes_it_did_not_register() -> None:
    user = UserFactory()
    browser = MastodonWrite()
    browser.force_login(user)
    app = register_app(MastodonWrite(), scopes="read")
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": oauth.OOB, "scope": "read write"}
    refused = browser.get("/oauth/authorize", query)
    assert refused.status_code == 400
    assert b"invalid_scope" in refused.content


def test_client_credentials_register_an_account_with_a_token() -> None:
    app = register_app(MastodonWrite())
    client = MastodonWrite()
    app_token = client_credentials(client, app)
    assert app_token.status_code == 200, app_token.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {app_token.json()['access_token']}")
    verified = MastodonRead()
    verified.credentials(HTTP_AUTHORIZATION=f"Bearer {app_token.json()['access_token']}")
    assert verified.get("/api/v1/apps/verify_credentials").json()["name"] == "tests"

    refused = client.post(
        "/api/v1/accounts", {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 422
    assert "agreement" in refused.json()["error"]
    made = client.post(
        "/api/v1/accounts",
        {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD, "agreement": "true"},
    )
    assert made.status_code == 200, made.content
    user_client = MastodonRead()
    user_client.credentials(HTTP_AUTHORIZATION=f"Bearer {made.json()['access_token']}")
    assert user_client.get("/api/v1/accounts/verify_credentials").json()["username"] == "newbie"

    taken = client.post(
        "/api/v1/accounts",
        {"username": "NEWBIE", "email": "other@example.com", "password": PASSWORD, "agreement": "true"},
    )
    assert taken.status_code == 422
    assert "username" in taken.json()["error"]


def test_revoking_a_token_ends_it_at_once_and_refresh_rotates() -> None:
    user = UserFactory()
    browser = MastodonWrite()
    browser.force_login(user)
    app = register_app(MastodonWrite())
    code = _authorize(browser, app, user, scope="read")
    secret = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    first = (
        MastodonWrite()
        .post(
            "/oauth/token",
            {"grant_type": "authorization_code", "code": code, "redirect_uri": oauth.OOB, **secret},
        )
        .json()
    )
    refreshed = MastodonWrite().post(
        "/oauth/token", {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], **secret}
    )
    assert refreshed.status_code == 200, refreshed.content
    second = refreshed.json()

    def me(token: str) -> int:
        client = MastodonRead()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return int(client.get("/api/v1/accounts/verify_credentials").status_code)

    assert me(first["access_token"]) == 401  # refreshing revoked the token it replaced
    assert me(second["access_token"]) == 200
    revoked = MastodonWrite().post("/oauth/revoke", {"token": second["access_token"], **secret})
    assert revoked.status_code == 200
    assert me(second["access_token"]) == 401


def test_a_read_token_cannot_write() -> None:
    user = UserFactory()
    application, _ = oauth.app_register(name="reader", redirect_uris=[oauth.OOB], scopes=["read"], website="")
    _, token = oauth.token_issue(application=application, user_id=user.pk, scopes=["read"])
    client = MastodonWrite()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    refused = client.post("/api/v1/statuses", {"status": "hello"}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}


def test_the_server_metadata_and_bad_app_registrations() -> None:
    metadata = MastodonRead().get("/.well-known/oauth-authorization-server").json()
    assert metadata["token_endpoint"].endswith("/oauth/token")
    assert "S256" in metadata["code_challenge_methods_supported"]
    client = MastodonWrite()
    for body, field in (
        ({"client_name": "", "redirect_uris": oauth.OOB}, "client_name"),
        ({"client_name": "x", "redirect_uris": "javascript:alert(1)"}, "redirect_uris"),
        ({"client_name": "x", "redirect_uris": oauth.OOB, "scopes": "read admin"}, "scopes"),
        ({"client_name": "x", "redirect_uris": oauth.OOB, "website": "ftp://x"}, "website"),
    ):
        response = client.post("/api/v1/apps", body, format="json")
        assert response.status_code == 422, (body, response.content)
        assert field in response.json()["error"], (body, response.content)


def test_a_refresh_token_used_twice_ends_its_whole_family() -> None:
    user = UserFactory()
    browser = MastodonWrite()
    browser.force_login(user)
    app = register_app(MastodonWrite())
    secret = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    code = _authorize(browser, app, user, scope="read")
    first = (
        MastodonWrite()
        .post("/oauth/token", {"grant_type": "authorization_code", "code": code, "redirect_uri": oauth.OOB, **secret})
        .json()
    )
    second = (
        MastodonWrite()
        .post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], **secret})
        .json()
    )
    stolen = MastodonWrite().post(
        "/oauth/token", {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], **secret}
    )
    assert stolen.status_code == 400
    client = MastodonRead()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access_token']}")
    assert client.get("/api/v1/accounts/verify_credentials").status_code == 401


def test_clients_call_the_token_endpoints_without_csrf_and_browsers_need_it_for_consent() -> None:
    """Apps post to /oauth/token and /oauth/revoke with no CSRF token (the toolkit exempts
    them); the consent form, posted by a signed-in browser, needs one."""
    app = register_app(MastodonWrite())
    strict = MastodonWrite(enforce_csrf_checks=True)
    token = client_credentials(strict, app)
    assert token.status_code == 200, token.content
    secret = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    revoked = strict.post("/oauth/revoke", {"token": token.json()["access_token"], **secret})
    assert revoked.status_code == 200, revoked.content
    browser = MastodonWrite(enforce_csrf_checks=True)
    browser.force_login(UserFactory())
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": oauth.OOB, "scope": "read"}
    forged = browser.post("/oauth/authorize", {**query, "allow": "Authorize"})
    assert forged.status_code == 403
