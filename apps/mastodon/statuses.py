"""Mastodon's Status entity: a presenter over the tweets context's read model.

`presentation.Shown` values (what a timeline page, a thread or a search resolves to) carry
each tweet's cached members; `statuses` reads them once (`Shown.fields`) and builds each
status with its author's account (apps.mastodon.accounts) and the viewer's flags. A
retweet is a status whose `reblog` is the original, as Mastodon shows a boost.
"""

from collections.abc import Sequence
from typing import Any

from apps.mastodon import content, direct_media
from apps.mastodon.accounts import account, profiles
from apps.tweets import engagement, entities, presentation
from apps.users.selectors import Profile

_FLAG_NAMES = {"liked": "favourited", "retweeted": "reblogged"}


def attachment(media: dict[str, Any]) -> dict[str, Any]:
    """Mastodon's MediaAttachment of one of our media (an upload's, or one a tweet holds:
    tweets made before descriptions existed have neither description nor focus)."""
    width, height = media.get("width"), media.get("height")
    meta: dict[str, Any] = {}
    if width and height:
        size = {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}
        meta = {"original": size, "small": size}
    if media.get("focus"):
        meta["focus"] = media["focus"]
    return {
        "id": str(media["id"]),
        "type": "image",
        "url": media["url"],
        "preview_url": media["url"],
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": media.get("description"),
        "blurhash": media.get("blurhash"),
    }


def _viewer_flags(bits: bytes) -> dict[str, bool]:
    if not bits:
        return {}
    flags = {_FLAG_NAMES[flag.name]: bit == ord("1") for flag, bit in zip(engagement.FLAGS, bits, strict=True)}
    return {**flags, "muted": False, "bookmarked": False, "pinned": False}


class _Fixed:
    """What never changes in a status as this origin shows it (its text, entities, media,
    links), built once per process for each (tweet, origin) while it is asked for."""

    _MAX = 20_000

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str], dict[str, Any]] = {}

    def get(self, tweet_id: int, fields: dict[str, Any], username: str, origin: str) -> dict[str, Any]:
        key = (tweet_id, origin)
        found = self._entries.get(key)
        if found is None:
            found = _fixed(fields, username, origin)
            if len(self._entries) >= self._MAX:
                self._entries.clear()
            self._entries[key] = found
        return found


def _fixed(fields: dict[str, Any], username: str, origin: str) -> dict[str, Any]:
    mentions = fields.get("mentions", [])
    tags = sorted({tag["tag"].lower() for tag in fields.get("hashtags", [])})
    return {
        "id": fields["id"],
        "uri": f"{origin}/users/{username}/statuses/{fields['id']}",
        "url": f"{origin}/@{username}/{fields['id']}",
        "created_at": fields["created_at"],
        "edited_at": None,
        "content": content.render(
            fields["text"], mentions=mentions, hashtags=fields.get("hashtags", []), origin=origin
        ),
        "visibility": "public",
        "sensitive": False,
        "spoiler_text": "",
        "language": None,
        "in_reply_to_id": fields.get("reply_to_id"),
        "in_reply_to_account_id": fields.get("reply_to_user_id"),
        "media_attachments": [attachment(m) for m in fields.get("media", [])],
        "mentions": [
            {"id": m["id"], "username": m["username"], "acct": m["username"], "url": f"{origin}/@{m['username']}"}
            for m in mentions
        ],
        "tags": [{"name": tag, "url": f"{origin}/tags/{tag}"} for tag in tags],
        "emojis": [],
        "card": None,
        "poll": None,
        "application": None,
    }


_fixed_parts = _Fixed()


def _status(tweet: presentation.Shown, accounts: dict[int, dict[str, Any]], origin: str) -> dict[str, Any] | None:
    account_entity = accounts.get(tweet.author_id)
    if account_entity is None:
        return None
    reblog = None
    if tweet.original is not None:
        reblog = _status(tweet.original, accounts, origin)
        if reblog is None:
            return None
    fields = tweet.fields()
    status = dict(_fixed_parts.get(tweet.id, fields, account_entity["username"], origin))
    if reblog is not None:
        status["content"] = ""  # a boost says nothing of its own
    status["account"] = account_entity
    status["reblog"] = reblog
    status["replies_count"] = fields.get("reply_count", 0)
    status["reblogs_count"] = fields.get("retweet_count", 0)
    status["favourites_count"] = fields.get("like_count", 0)
    status.update(_viewer_flags(tweet.flags))
    return status


def statuses(tweets: Sequence[presentation.Shown], origin: str) -> list[dict[str, Any]]:
    """The statuses of a page (a tweet whose author cannot be shown is left out)."""
    authors = {tweet.author_id for tweet in tweets} | {t.original.author_id for t in tweets if t.original is not None}
    accounts = profiles.accounts(authors, origin)
    return [status for tweet in tweets if (status := _status(tweet, accounts, origin)) is not None]


def direct_status(
    *,
    message_id: int,
    text: str,
    created_at: str,
    media: list[dict[str, Any]],
    author: Profile,
    mentioned: dict[str, tuple[int, str]],
    origin: str,
) -> dict[str, Any]:
    """A direct message as the status a Mastodon client sent it as (visibility direct)."""
    mentions = [
        {
            "id": str(mentioned[m.value.lower()][0]),
            "username": mentioned[m.value.lower()][1],
            "start": m.start,
            "end": m.end,
        }
        for m in entities.mentions(text)
        if m.value.lower() in mentioned
    ]
    return {
        "id": str(message_id),
        "uri": f"{origin}/users/{author.username}/statuses/{message_id}",
        "url": None,
        "created_at": created_at,
        "edited_at": None,
        "account": account(author, origin),
        "content": content.render(text, mentions=mentions, hashtags=[], origin=origin),
        "visibility": "direct",
        "sensitive": False,
        "spoiler_text": "",
        "language": None,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        # Mastodon apps fetch media with no token: each image by a signed link of its own.
        "media_attachments": [
            attachment({**m, "url": direct_media.link(origin, message_id=message_id, media_id=int(m["id"]))})
            for m in media
        ],
        "mentions": [
            {"id": m["id"], "username": m["username"], "acct": m["username"], "url": f"{origin}/@{m['username']}"}
            for m in mentions
        ],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
        "application": None,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
    }
