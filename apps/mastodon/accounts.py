"""Mastodon's Account entity, from the users context's profiles.

Statuses embed their authors' accounts whole (counts included), so a page of statuses
needs its authors' profiles: they are kept in this process for ACCOUNT_CACHE_SECONDS
(`MASTODON_ACCOUNT_CACHE_SECONDS`), so a warm page of a home timeline asks the database
nothing (its authors repeat), and counts may trail by that long.
"""

import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings

from apps.mastodon import content
from apps.users import selectors as user_selectors
from apps.users.selectors import Profile

DEFAULT_AVATAR = "/static/mastodon/avatar.png"
DEFAULT_HEADER = "/static/mastodon/header.png"
_MAX_CACHED = 20_000


class _Profiles:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[float, Profile]] = {}
        self._accounts: dict[tuple[int, str], tuple[float, dict[str, Any]]] = {}  # rendered, by origin

    def get(self, user_ids: Iterable[int]) -> dict[int, Profile]:
        wanted = set(user_ids)
        now = time.monotonic()
        found = {u: e[1] for u in wanted if (e := self._entries.get(u)) is not None and e[0] > now}
        missing = wanted - found.keys()
        if missing:
            fresh = user_selectors.user_profiles(user_ids=sorted(missing))
            expires = now + float(settings.MASTODON_ACCOUNT_CACHE_SECONDS)
            with self._lock:
                if len(self._entries) + len(fresh) > _MAX_CACHED:
                    self._entries.clear()
                self._entries.update({u: (expires, p) for u, p in fresh.items()})
            found.update(fresh)
        return found

    def accounts(self, user_ids: Iterable[int], origin: str) -> dict[int, dict[str, Any]]:
        """The Account entities of the visible users among `user_ids`, as this origin
        shows them (built once per process while their profile is kept)."""
        now = time.monotonic()
        wanted = set(user_ids)
        found = {u: e[1] for u in wanted if (e := self._accounts.get((u, origin))) is not None and e[0] > now}
        missing = wanted - found.keys()
        if missing:
            fresh = {u: account(p, origin) for u, p in self.get(missing).items()}
            expires = now + float(settings.MASTODON_ACCOUNT_CACHE_SECONDS)
            with self._lock:
                if len(self._accounts) + len(fresh) > _MAX_CACHED:
                    self._accounts.clear()
                self._accounts.update({(u, origin): (expires, entity) for u, entity in fresh.items()})
            found.update(fresh)
        return found

    def forget(self, user_id: int | None = None) -> None:
        with self._lock:
            if user_id is None:
                self._entries.clear()
                self._accounts.clear()
            else:
                self._entries.pop(user_id, None)
                for key in [key for key in self._accounts if key[0] == user_id]:
                    del self._accounts[key]


profiles = _Profiles()


def _timestamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def account(profile: Profile, origin: str) -> dict[str, Any]:
    avatar = profile.avatar_url or origin + DEFAULT_AVATAR
    return {
        "id": str(profile.id),
        "username": profile.username,
        "acct": profile.username,
        "display_name": profile.display_name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "noindex": False,
        "suspended": False,
        "limited": False,
        "created_at": _timestamp(profile.joined_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": content.note(profile.bio),
        "url": f"{origin}/@{profile.username}",
        "uri": f"{origin}/users/{profile.username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": origin + DEFAULT_HEADER,
        "header_static": origin + DEFAULT_HEADER,
        "followers_count": profile.followers_count,
        "following_count": profile.following_count,
        "statuses_count": profile.tweets_count,
        "last_status_at": None,
        "hide_collections": False,
        "emojis": [],
        "fields": (
            [{"name": "Website", "value": content_link(profile.website), "verified_at": None}]
            if profile.website
            else []
        ),
        "roles": [],
    }


def content_link(url: str) -> str:
    return content.render(url, mentions=[], hashtags=[], origin="").removeprefix("<p>").removesuffix("</p>")


def credential_account(profile: Profile, origin: str) -> dict[str, Any]:
    """The signed-in user's own account, with its `source` (what they typed)."""
    own = account(profile, origin)
    own["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": "",
        "note": profile.bio,
        "fields": [{"name": "Website", "value": profile.website, "verified_at": None}] if profile.website else [],
        "follow_requests_count": 0,
        "hide_collections": False,
        "discoverable": True,
        "indexable": True,
    }
    return own


def accounts_in_order(user_ids: list[int], origin: str) -> list[dict[str, Any]]:
    found = user_selectors.user_profiles(user_ids=user_ids)
    return [account(found[u], origin) for u in user_ids if u in found]
