"""What every search backend answers. Backends return ids (and hashtag counts); the
caller renders them, so a stale index can never show a deleted tweet or a suspended
user: rendering drops them."""

from dataclasses import dataclass
from typing import Literal, Protocol

from apps.tweets.search import HashtagCount, TweetFilter

Sort = Literal["relevance", "recent"]


@dataclass(frozen=True)
class TweetSearch:
    filter: TweetFilter
    sort: Sort
    limit: int
    offset: int = 0  # relevance pages
    max_id: int | None = None  # recent pages: strictly older than


class BackendUnavailableError(Exception):
    """The backend failed or timed out; the caller may fall back."""


class SearchBackend(Protocol):
    name: str

    def tweet_ids(self, search: TweetSearch) -> list[int]: ...

    def user_ids(self, *, text: str, usernames_only: bool, offset: int, limit: int) -> list[int]: ...

    def hashtags(self, *, prefix: str, offset: int, limit: int) -> list[HashtagCount]: ...
