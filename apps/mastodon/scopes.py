"""OAuth scopes as Mastodon defines them: four top-level scopes and their granular forms.

A top-level scope grants every granular scope under it (`read` grants `read:statuses`);
`follow` is the older name of what `read:follows`, `write:follows`, `read:blocks`,
`write:blocks`, `read:mutes` and `write:mutes` grant. A token's scopes are what its user
approved, a subset of what its app registered.
"""

from collections.abc import Iterable
from typing import Any

from oauth2_provider.scopes import BaseScopes

_GRANULAR = {
    "read": (
        "accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
        "notifications", "search", "statuses",
    ),
    "write": (
        "accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows", "lists",
        "media", "mutes", "notifications", "reports", "statuses",
    ),
}  # fmt: skip
_FOLLOW = ("read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes")

TOP_LEVEL = ("read", "write", "follow", "push")
ALL: dict[str, str] = {
    "read": "Read all your account's data",
    "write": "Change all your account's data",
    "follow": "Follow, block and mute accounts",
    "push": "Receive push notifications",
    **{f"{top}:{part}": f"{top.capitalize()} your {part}" for top, parts in _GRANULAR.items() for part in parts},
}
DEFAULT = "read"


def parse(text: str | None) -> list[str] | None:
    """The scopes named in a space-separated string (the default when empty), or None when
    one is unknown."""
    names = (text or DEFAULT).split()
    return names if all(name in ALL for name in names) else None


def covers(granted: Iterable[str], wanted: str) -> bool:
    """Whether `granted` scopes allow what `wanted` (one scope) allows."""
    granted = set(granted)
    if wanted in granted:
        return True
    top, _, _ = wanted.partition(":")
    return top in granted or ("follow" in granted and wanted in _FOLLOW)


def within(requested: Iterable[str], registered: Iterable[str]) -> bool:
    """Whether every requested scope is one the app registered (or covered by one)."""
    registered = list(registered)
    return all(covers(registered, scope) for scope in requested)


class Backend(BaseScopes):
    """django-oauth-toolkit's scopes: these (an app's are narrowed by oauth.Validator)."""

    def get_all_scopes(self) -> dict[str, str]:
        return ALL

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return list(ALL)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return [DEFAULT]
