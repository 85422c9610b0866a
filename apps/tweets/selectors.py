"""Reads of the tweets context."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections
from django.db.models import F, Q

from apps.tweets import visibility
from apps.tweets.models import Like, Tweet, TweetHashtag
from apps.tweets.rendering import RenderedTweet, render_core
from twitter.api.pagination import PageParams, paginate_queryset
from twitter.db.lookups import AnyOf, id_array
from twitter.db.routing import PRIMARY, may_be_unreplayed, read_alias
from twitter.errors import NotFoundError


def tweet_get_visible(*, tweet_id: int) -> Tweet:
    tweet = Tweet.objects.filter(pk=tweet_id).first()
    if tweet is None and may_be_unreplayed(tweet_id):
        tweet = Tweet.objects.using(PRIMARY).filter(pk=tweet_id).first()
    if tweet is None or tweet.is_deleted:
        raise NotFoundError("Tweet not found.", code="tweet_not_found")
    return tweet


@dataclass(frozen=True)
class TweetCounts:
    like_count: int
    retweet_count: int
    reply_count: int


def tweet_counts(*, tweet_id: int) -> TweetCounts:
    """Counts as just committed (the primary): what a writer is told after acting."""
    row = Tweet.objects.using(PRIMARY).filter(pk=tweet_id).values_list("like_count", "retweet_count", "reply_count")
    found = row.first()
    if found is None:
        raise NotFoundError("Tweet not found.", code="tweet_not_found")
    return TweetCounts(*found)


def tweets_render(*, tweet_ids: Iterable[int], using: str) -> dict[int, RenderedTweet]:
    """Cores of the live (not deleted) tweets among `tweet_ids`."""
    tweets = Tweet.objects.using(using).filter(pk__in=list(tweet_ids), deleted_at__isnull=True)
    return {tweet.id: render_core(tweet) for tweet in tweets}


def reply_ids_page(*, tweet_id: int, params: PageParams) -> list[int]:
    queryset = Tweet.objects.filter(reply_to_id=tweet_id, deleted_at__isnull=True).only("id")
    return [tweet.id for tweet in paginate_queryset(queryset, params)]


def timeline_ids(
    *,
    author_ids: list[int],
    using: str,
    limit: int,
    max_id: int | None = None,
    min_id: int | None = None,
    ascending: bool = False,
    reply_targets: list[int] | None = None,
    viewer_id: int | None = None,
    exclude_suspended: bool = False,
    celebrity_ids: Iterable[int] = (),
    excluded_authors: Iterable[int] = (),
    live_only: bool = True,
) -> list[int]:
    """Newest-first ids of live tweets by `author_ids` in (min_id, max_id): the pull model.

    Replies follow the home-visibility rule (apps.tweets.visibility.replies_shown): a
    reply counts when it is a self-thread, or when it answers one of `reply_targets`
    (for a home timeline: the viewer and everyone the viewer follows). Without targets
    only top-level tweets and self-threads count (a user timeline); replies to others by
    `celebrity_ids` never count. The viewer's own replies always count in their home
    timeline. Tweets by `excluded_authors`, and retweets of theirs, never count (rule 7:
    the viewer's blocks, and in a home their mutes). Deleted tweets count too when not
    `live_only` (what a list may still hold, for a removal).
    """
    replies_ok = visibility.replies_shown(reply_targets=reply_targets, viewer_id=viewer_id, celebrity_ids=celebrity_ids)
    queryset = Tweet.objects.using(using).filter(replies_ok, AnyOf(F("author_id"), author_ids))
    if live_only:
        queryset = queryset.filter(deleted_at__isnull=True)
    excluded = list(excluded_authors)
    if excluded:
        queryset = queryset.exclude(AnyOf(F("author_id"), excluded)).exclude(_retweet_of_any(excluded))
    if exclude_suspended:
        queryset = queryset.filter(author__suspended_at__isnull=True)
    if max_id is not None:
        queryset = queryset.filter(id__lt=max_id)
    if min_id is not None:
        queryset = queryset.filter(id__gt=min_id)
    ids = list(queryset.order_by("id" if ascending else "-id").values_list("id", flat=True)[:limit])
    if ascending:
        ids.reverse()
    return ids


def _retweet_of_any(author_ids: list[int]) -> Q:
    """A retweet of a tweet by one of `author_ids`."""
    return Q(retweet_of__isnull=False) & Q(AnyOf(F("retweet_of__author_id"), author_ids))


def by_or_of_authors(*, tweet_ids: list[int], author_ids: Iterable[int], using: str) -> list[int]:
    """Those of `tweet_ids` written by one of `author_ids`, or retweets of their tweets."""
    authors = list(author_ids)
    if not tweet_ids or not authors:
        return []
    queryset = Tweet.objects.using(using).filter(AnyOf(F("id"), tweet_ids))
    queryset = queryset.filter(Q(AnyOf(F("author_id"), authors)) | _retweet_of_any(authors))
    return list(queryset.values_list("id", flat=True))


def author_of(*, tweet_id: int, using: str) -> int | None:
    """The author of a tweet, deleted or not; None when there is no such tweet."""
    return Tweet.objects.using(using).filter(pk=tweet_id).values_list("author_id", flat=True).first()


def reply_ids_to(
    *, author_ids: list[int], reply_to_user_id: int, using: str, limit: int, live_only: bool = True
) -> list[int]:
    """Newest-first ids of replies by `author_ids` to `reply_to_user_id`: live ones, or
    deleted ones too when not `live_only`."""
    queryset = Tweet.objects.using(using).filter(author_id__in=author_ids, reply_to_user_id=reply_to_user_id)
    if live_only:
        queryset = queryset.filter(deleted_at__isnull=True)
    return list(queryset.order_by("-id").values_list("id", flat=True)[:limit])


# --- Likes and retweets -------------------------------------------------------------


def engaged_tweet_ids(*, user_id: int, using: str, among: Iterable[int] | None = None) -> tuple[set[int], set[int]]:
    """The tweets `user_id` likes and the originals they have a live retweet of, in one
    query, as (liked, retweeted): the sets of apps.tweets.engagement.FLAGS, in its order;
    only those `among` the given ids, when given."""
    # With no `among`, the array parameter is NULL and its condition holds for every row.
    ids = None if among is None else id_array(among)
    sql = (
        "SELECT tweet_id, true FROM tweets_like"
        " WHERE user_id = %(user)s AND (%(ids)s::bigint[] IS NULL OR tweet_id = ANY(%(ids)s::bigint[]))"
        " UNION ALL SELECT retweet_of_id, false FROM tweets_tweet"
        " WHERE author_id = %(user)s AND retweet_of_id IS NOT NULL AND deleted_at IS NULL"
        " AND (%(ids)s::bigint[] IS NULL OR retweet_of_id = ANY(%(ids)s::bigint[]))"
    )
    params = {"user": user_id, "ids": ids}
    liked: set[int] = set()
    retweeted: set[int] = set()
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        for tweet_id, is_like in cursor.fetchall():
            (liked if is_like else retweeted).add(tweet_id)
    return liked, retweeted


def likers_page(*, tweet_id: int, params: PageParams) -> list[tuple[int, int]]:
    """(like id, user id) pairs, most recent like first."""
    likes = paginate_queryset(Like.objects.filter(tweet_id=tweet_id).only("id", "user_id"), params)
    return [(like.id, like.user_id) for like in likes]


def retweeters_page(*, tweet_id: int, params: PageParams) -> list[tuple[int, int]]:
    """(retweet id, user id) pairs of the live retweets of `tweet_id`, most recent first."""
    retweets = Tweet.objects.filter(retweet_of_id=tweet_id, deleted_at__isnull=True).only("id", "author_id")
    return [(retweet.id, retweet.author_id) for retweet in paginate_queryset(retweets, params)]


def likes_page(*, user_id: int, params: PageParams) -> list[tuple[int, int]]:
    """(like id, tweet id) pairs of what `user_id` liked, most recent like first; deleted
    tweets left out."""
    queryset = Like.objects.filter(user_id=user_id, tweet__deleted_at__isnull=True).only("id", "tweet_id")
    return [(like.id, like.tweet_id) for like in paginate_queryset(queryset, params)]


def like_exists(*, user_id: int, tweet_id: int, using: str) -> bool:
    return Like.objects.using(using).filter(user_id=user_id, tweet_id=tweet_id).exists()


# --- Threads and hashtags -----------------------------------------------------------


def tweet_exists(*, tweet_id: int, using: str) -> bool:
    """Whether the row is there (deleted or not): on a replica, whether it was replayed.
    (Asked for every fan-out: one plain statement, without the ORM's query building.)"""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {Tweet._meta.db_table} WHERE id = %s", [tweet_id])  # noqa: S608
        return cursor.fetchone() is not None


def tweet_is_live(*, tweet_id: int, using: str) -> bool:
    """Whether the tweet exists and is not deleted."""
    return Tweet.objects.using(using).filter(pk=tweet_id, deleted_at__isnull=True).exists()


def ancestor_ids(*, tweet_id: int, limit: int) -> list[int]:
    """The chain of tweets `tweet_id` replies to, root first (deleted ones included: the
    caller leaves them out), at most `limit` of them, in one recursive query."""
    sql = """
        WITH RECURSIVE chain(id, reply_to_id, depth) AS (
            SELECT id, reply_to_id, 0 FROM tweets_tweet WHERE id = %s
            UNION ALL
            SELECT t.id, t.reply_to_id, c.depth + 1 FROM tweets_tweet t JOIN chain c ON t.id = c.reply_to_id
            WHERE c.depth < %s
        )
        SELECT id FROM chain WHERE depth > 0 ORDER BY depth DESC
    """
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [tweet_id, limit])
        return [row[0] for row in cursor.fetchall()]


def descendant_ids(*, tweet_id: int, limit: int) -> list[int]:
    """Live replies to `tweet_id` and their replies, oldest first within a depth-first
    walk of the thread, at most `limit` of them."""
    sql = """
        WITH RECURSIVE thread(id, path) AS (
            SELECT id, ARRAY[id] FROM tweets_tweet WHERE reply_to_id = %s AND deleted_at IS NULL
            UNION ALL
            SELECT t.id, th.path || t.id FROM tweets_tweet t JOIN thread th ON t.reply_to_id = th.id
            WHERE t.deleted_at IS NULL AND cardinality(th.path) < 50
        )
        SELECT id FROM thread ORDER BY path LIMIT %s
    """
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [tweet_id, limit])
        return [row[0] for row in cursor.fetchall()]


def hashtag_ids_page(*, tag: str, params: PageParams) -> list[int]:
    """Newest-first ids of live tweets by unsuspended authors using `tag` (case-folded)."""
    queryset = TweetHashtag.objects.filter(
        tag=tag, tweet__deleted_at__isnull=True, tweet__author__suspended_at__isnull=True
    ).only("tweet_id")
    return [row.tweet_id for row in paginate_queryset(queryset, params, id_field="tweet_id")]


def author_ids_page(
    *,
    author_id: int,
    params: PageParams,
    replies: bool = True,
    retweets: bool = True,
    media_only: bool = False,
    excluded_authors: Iterable[int] = (),
) -> list[int]:
    """Newest-first ids of an author's live tweets, replies to others included (a profile as
    Mastodon lists it; the native profile leaves them out). Each filter is in SQL, so pages
    are full: `replies=False` keeps top-level tweets and self-threads, `retweets=False` the
    author's own tweets, `media_only` those with media; retweets of `excluded_authors` (whom
    the viewer blocked, or was blocked by) are left out."""
    queryset = Tweet.objects.filter(author_id=author_id, deleted_at__isnull=True)
    if not replies:
        queryset = queryset.filter(visibility.replies_shown(reply_targets=None, viewer_id=None))
    if not retweets or media_only:
        queryset = queryset.filter(retweet_of__isnull=True)
    if media_only:
        queryset = queryset.exclude(media=[])
    excluded = list(excluded_authors)
    if excluded:
        queryset = queryset.exclude(_retweet_of_any(excluded))
    return [row.id for row in paginate_queryset(queryset.only("id"), params)]


def public_ids_page(*, params: PageParams) -> list[int]:
    """Newest-first ids of every live tweet (not retweets) by unsuspended authors: the
    public timeline."""
    queryset = Tweet.objects.filter(
        deleted_at__isnull=True, retweet_of__isnull=True, author__suspended_at__isnull=True
    ).only("id")
    return [row.id for row in paginate_queryset(queryset, params)]


def tweet_count_estimate() -> int:
    """About how many tweets there are (the planner's estimate: no table scan)."""
    with connections[read_alias()].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'tweets_tweet'::regclass")
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0
