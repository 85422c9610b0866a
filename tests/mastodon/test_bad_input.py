"""Malformed input on the Mastodon-compatible origin is a clear 4xx in Mastodon's error form,
never a 5xx: every route of both URL sets, with each method it takes, gets parameters of
the wrong type and shape in the query, a JSON body and a form."""

import re
from typing import Any

import pytest

from tests.factories import UserFactory
from tests.mastodon.conftest import MastodonWrite, Session, routes

# The JSON and the errors do not depend on where application data lives: the single-Redis
# pass only.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.single_redis]

# What clients send to these routes (and what they might send wrongly).
NAMES = [
    "max_id", "since_id", "min_id", "limit", "offset", "q", "type", "types[]", "exclude_types[]", "id[]", "acct",
    "local", "remote", "only_media", "exclude_replies", "exclude_reblogs", "pinned", "resolve", "following",
    "status", "in_reply_to_id", "media_ids[]", "visibility", "spoiler_text", "sensitive", "language", "poll",
    "description", "focus", "display_name", "note", "locked", "bot", "discoverable", "client_name",
    "redirect_uris", "scopes", "website", "username", "email", "password", "agreement", "grant_type", "code",
    "client_id", "client_secret", "refresh_token", "token", "timeline[]", "notifications[last_read_id]",
    "stream", "tag", "reblogs", "notify", "duration", "notifications",
]  # fmt: skip
QUERY_VALUES = ["-1", "abc", "9" * 40, "\x00", "", "[]", "1e309", "%", "\u202e\ufeff"]
JSON_VALUES: list[Any] = [None, -1, 10**40, 1.5, [], {}, ["x", {"y": []}], True, "\x00", "x" * 20_000]


def _methods(view_class: type | None) -> list[str]:
    if view_class is None:
        return ["get", "post"]
    return [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]


def _path(route: str, existing: int) -> list[str]:
    """The route with its parameters filled: an id that exists, one that does not, and a
    hashtag or name of odd characters."""
    paths = []
    for value in (str(existing), "9" * 18):
        path = re.sub(r"<id:\w+>", value, route)
        paths.append("/" + re.sub(r"<str:\w+>", "%E2%80%AE%00x", path))
    return sorted(set(paths))


def _assert_clear(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.content[:300]!r}"
    if response.status_code >= 400 and response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        assert isinstance(body.get("error"), str), f"{what}: {body}"


@pytest.mark.parametrize("urlconf", ["config.urls_mastodon_read", "config.urls_mastodon_write"])
def test_every_route_answers_bad_input_with_a_4xx(session_for: Any, urlconf: str) -> None:
    session: Session = session_for(UserFactory(), ("read", "write", "follow", "push"))
    existing = session.post("a status to act on")["id"]
    client = session.read if urlconf.endswith("_read") else session.write
    found = routes(urlconf)
    assert len(found) > 20
    for route, view_class in found:
        for path in _path(route, int(existing)):
            for method in _methods(view_class):
                send = getattr(client, method)
                for value in QUERY_VALUES:
                    query = "&".join(f"{name}={value}" for name in NAMES).replace("\x00", "%00")
                    _assert_clear(send(f"{path}?{query}"), f"{method.upper()} {path} ?{value!r}")
                if method == "get":
                    continue
                for value in JSON_VALUES:
                    body = dict.fromkeys(NAMES, value)
                    _assert_clear(send(path, body, format="json"), f"{method.upper()} {path} JSON {value!r:.40}")
                form = {name: "\x00" if name.endswith("[]") else "x\x00" for name in NAMES}
                _assert_clear(send(path, form), f"{method.upper()} {path} form")
                raw = send(path, b"\xff\xfe{", content_type="application/json")
                _assert_clear(raw, f"{method.upper()} {path} bytes")


def test_the_consent_page_answers_a_bad_query_with_a_400(transactional_db: None) -> None:
    browser = MastodonWrite()
    browser.force_login(UserFactory())
    for query in ("client_id=%&response_type=code", "client_id=x%00&response_type=code&redirect_uri=%zz"):
        response = browser.get(f"/oauth/authorize?{query}")
        assert 400 <= response.status_code < 500, (query, response.status_code)
