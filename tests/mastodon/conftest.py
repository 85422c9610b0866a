"""Clients of the Mastodon-compatible origin: the gateway marks its requests with
X-Client-API: mastodon (apps.mastodon.middleware); these clients do the same."""

import io
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image
from rest_framework.test import APIClient

from apps.mastodon import oauth
from apps.users.models import User
from tests.conftest import ReadApiClient

ORIGIN = {"HTTP_X_CLIENT_API": "mastodon"}


def png(size: tuple[int, int] = (4, 3)) -> io.BytesIO:
    """A small red PNG, as a file to upload."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    out.seek(0)
    out.name = "red.png"
    return out


def routes(urlconf: str) -> list[tuple[str, type | None]]:
    """Every route of a URLconf (Django's form, `api/v1/statuses/<id:tweet_id>`), with its
    view class (None for a function)."""
    found = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append((route, getattr(pattern.callback, "view_class", None)))

    walk(get_resolver(urlconf).url_patterns, "")
    return found


class MastodonWrite(APIClient):
    def request(self, **kwargs: Any) -> Any:
        return super().request(**{**ORIGIN, **kwargs})


class MastodonRead(ReadApiClient):
    def request(self, **kwargs: Any) -> Any:
        return super().request(**{**ORIGIN, **kwargs})


@pytest.fixture
def m_write() -> APIClient:
    return MastodonWrite()


@pytest.fixture
def m_read() -> APIClient:
    return MastodonRead()


def register_app(client: APIClient, scopes: str = "read write follow push", redirect: str = oauth.OOB) -> Any:
    response = client.post(
        "/api/v1/apps", {"client_name": "tests", "redirect_uris": redirect, "scopes": scopes}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def client_credentials(client: APIClient, app: dict[str, Any], scope: str = "read write") -> Any:
    """The app's own token (the client credentials grant): the response."""
    return client.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"],
         "scope": scope},
    )  # fmt: skip


class Session:
    """A user signed in to the Mastodon API through an app, on both sides."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token
        self.write = MastodonWrite()
        self.read = MastodonRead()
        for client in (self.write, self.read):
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def post(self, text: str, **extra: Any) -> dict[str, Any]:
        response = self.write.post("/api/v1/statuses", {"status": text, **extra}, format="json")
        assert response.status_code == 200, response.content
        return dict(response.json())


@pytest.fixture
def session_for(transactional_db: None) -> Any:
    """session_for(user, scopes=[...]) -> a Session with a token issued to a test app."""
    from oauth2_provider.models import Application

    def make(user: User, scopes: tuple[str, ...] = ("read", "write", "follow")) -> Session:
        application, _ = oauth.app_register(name="tests", redirect_uris=[oauth.OOB], scopes=list(scopes), website="")
        assert isinstance(application, Application)
        _, token = oauth.token_issue(application=application, user_id=user.pk, scopes=list(scopes))
        return Session(user, token)

    return make
