"""Mentions and hashtags found in tweet text, with their offsets.

Offsets count Unicode code points of the normalized text (what clients count), start
inclusive and end exclusive, the `@` or `#` included. A hashtag is a `#` followed by
letters, digits, marks or underscores, at least one of them not a digit; a mention is an
`@` followed by a possible username. Neither may follow a letter or digit ("a#b" and
"me@example.com" are neither), and a mention must not run on into more username
characters than a username has.
"""

import unicodedata
from dataclasses import dataclass

from apps.tweets.models import HASHTAG_MAX_LENGTH

USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
USERNAME_MAX_LENGTH = 15


@dataclass(frozen=True)
class Found:
    value: str  # the username or the tag as written, without its sign
    start: int
    end: int


def _tag_char(char: str) -> bool:
    return char == "_" or char.isalnum() or unicodedata.category(char) in {"Mn", "Mc"}


def _word_before(text: str, index: int) -> bool:
    return index > 0 and (_tag_char(text[index - 1]) or text[index - 1] in "@#&")


def hashtags(text: str) -> list[Found]:
    found: list[Found] = []
    index = text.find("#")
    while index != -1:
        end = index + 1
        while end < len(text) and _tag_char(text[end]):
            end += 1
        tag = text[index + 1 : end]
        if tag and not _word_before(text, index) and not tag.isdigit() and len(tag) <= HASHTAG_MAX_LENGTH:
            found.append(Found(tag, index, end))
        index = text.find("#", max(end, index + 1))
    return found


def mentions(text: str) -> list[Found]:
    found: list[Found] = []
    index = text.find("@")
    while index != -1:
        end = index + 1
        while end < len(text) and text[end] in USERNAME_CHARS:
            end += 1
        name = text[index + 1 : end]
        if 0 < len(name) <= USERNAME_MAX_LENGTH and not _word_before(text, index):
            found.append(Found(name, index, end))
        index = text.find("@", max(end, index + 1))
    return found


def normalize_tag(tag: str) -> str:
    """The form hashtags are stored and looked up in: #Django, #django and #DJANGO are one."""
    return unicodedata.normalize("NFC", tag).casefold()


def is_valid_tag(tag: str) -> bool:
    return 0 < len(tag) <= HASHTAG_MAX_LENGTH and all(_tag_char(c) for c in tag) and not tag.isdigit()
