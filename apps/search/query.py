"""The search box's language.

    words "a phrase" or -excluded   full text (tweets); a name prefix (users)
    #tag                            tweets using the hashtag; a tag prefix (hashtags)
    @username                       tweets mentioning the user; a username prefix (users)
    from:username                   tweets by the user

Everything that is not one of the operators is text. An operator with nothing valid
after its sign stays text, so no query is ever a syntax error.
"""

import re
from dataclasses import dataclass, field

from apps.tweets import entities

QUERY_MAX_LENGTH = 200

_OPERATOR = re.compile(
    r"(?<!\S)(?:from:(?P<from>[A-Za-z0-9_]{1,15})|@(?P<mention>[A-Za-z0-9_]{1,15})|#(?P<tag>\S+))(?!\S)"
)


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # what is left once the operators are taken out, whitespace collapsed
    hashtags: tuple[str, ...] = field(default=())  # case-folded
    mentions: tuple[str, ...] = field(default=())  # usernames as written
    from_username: str | None = None

    @property
    def names(self) -> list[str]:
        """Usernames the query refers to."""
        return [*self.mentions, *([self.from_username] if self.from_username else [])]


def parse(raw: str) -> ParsedQuery:
    hashtags: list[str] = []
    mentions: list[str] = []
    from_username: str | None = None

    def take(match: re.Match[str]) -> str:
        nonlocal from_username
        if match["from"] and from_username is None:
            from_username = match["from"]
        elif match["mention"]:
            mentions.append(match["mention"])
        elif match["tag"] and entities.is_valid_tag(match["tag"]):
            hashtags.append(entities.normalize_tag(match["tag"]))
        else:
            return match[0]  # a second from:, or not a hashtag (#123): plain text
        return " "

    text = " ".join(_OPERATOR.sub(take, raw).split())
    return ParsedQuery(
        text=text,
        hashtags=tuple(dict.fromkeys(hashtags)),
        mentions=tuple(dict.fromkeys(mentions)),
        from_username=from_username,
    )


def name_prefix(raw: str) -> str:
    """The prefix a user search looks for: the query without a leading `@`."""
    return raw.strip().removeprefix("@").strip()


def tag_prefix(raw: str) -> str:
    """The prefix a hashtag search looks for: case-folded, without a leading `#`."""
    return entities.normalize_tag(raw.strip().removeprefix("#").strip())
