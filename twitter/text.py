"""Text rules shared by every user-written field (DESIGN.md section 3)."""

import unicodedata
from typing import Any

from twitter.errors import ApplicationError


def normalize_text(value: str, *, allow_newlines: bool) -> str:
    """NFC-normalize and trim `value`; raise ValueError on control characters."""
    text = unicodedata.normalize("NFC", value).strip()
    for char in text:
        if char == "\n" and allow_newlines:
            continue
        if unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError("Control characters are not allowed.")
    return text


def required_text(value: Any, *, max_length: int, empty: str) -> str:
    """The `text` field of a tweet or a message by the text rules: a string, NFC and
    trimmed, no control characters but newlines, 1 to `max_length` code points; a 400
    naming the field otherwise (`empty` says what has no text)."""
    if not isinstance(value, str):
        raise ApplicationError("Invalid input.", fields={"text": ["Must be a string."]})
    try:
        clean = normalize_text(value, allow_newlines=True)
    except ValueError as exc:
        raise ApplicationError("Invalid input.", fields={"text": [str(exc)]}) from exc
    if not clean:
        raise ApplicationError("Invalid input.", fields={"text": [empty]})
    if len(clean) > max_length:
        raise ApplicationError(
            "Invalid input.", fields={"text": [f"At most {max_length} characters ({len(clean)} given)."]}
        )
    return clean


def length(text: str) -> int:
    """Length as users see it: Unicode code points after NFC."""
    return len(text)


_USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def normalize_login(value: str) -> str | None:
    """The one form of what someone typed to sign in, as the login lookup compares it:
    an email lower-cased, or a username case-folded the way the database folds it (so
    'SKIP' and 'skip' spelled with a long s, U+017F, are both 'skip'). None when no account can have that name. Rate
    limits key their per-account buckets by this form, so every spelling shares one."""
    login = unicodedata.normalize("NFC", value).strip()
    if "@" in login:
        return login.lower()[:254] or None
    # Python's upper() folds like Postgres' UPPER() (long s -> S, dotless i -> I); usernames
    # are ASCII, so anything else can name no account.
    folded = login.upper().lower()
    if not folded or len(folded) > 15 or not set(folded) <= _USERNAME_CHARS:
        return None
    return folded
