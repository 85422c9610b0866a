"""The embedded backend: full-text and trigram queries on the read replica. The
database keeps its indexes current itself, so there is nothing to index."""

from apps.search.backends.base import TweetSearch
from apps.tweets import search as tweet_search
from apps.tweets.search import HashtagCount
from apps.users import search as user_search


class PostgresBackend:
    name = "postgres"

    def tweet_ids(self, search: TweetSearch) -> list[int]:
        if search.sort == "recent":
            return tweet_search.tweet_ids_by_recency(query=search.filter, max_id=search.max_id, limit=search.limit)
        return tweet_search.tweet_ids_by_relevance(query=search.filter, offset=search.offset, limit=search.limit)

    def user_ids(self, *, text: str, usernames_only: bool, offset: int, limit: int) -> list[int]:
        return user_search.user_ids_by_name(text=text, usernames_only=usernames_only, offset=offset, limit=limit)

    def hashtags(self, *, prefix: str, offset: int, limit: int) -> list[HashtagCount]:
        return tweet_search.hashtags_by_prefix(prefix=prefix, offset=offset, limit=limit)
