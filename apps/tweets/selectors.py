"""Reads of the tweets context."""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import F, Q

from apps.tweets.models import Tweet
from apps.tweets.rendering import RenderedTweet, render_core
from twitter.api.pagination import PageParams, paginate_queryset
from twitter.db.routing import PRIMARY
from twitter.errors import NotFoundError
from twitter.ids import id_age_seconds


def tweet_get_visible(*, tweet_id: int) -> Tweet:
    tweet = Tweet.objects.filter(pk=tweet_id).first()
    if tweet is None and id_age_seconds(tweet_id) < settings.REPLICA_LAG_GRACE_SECONDS:
        tweet = Tweet.objects.using(PRIMARY).filter(pk=tweet_id).first()
    if tweet is None or tweet.is_deleted:
        raise NotFoundError("Tweet not found.", code="tweet_not_found")
    return tweet


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
) -> list[int]:
    """Newest-first ids of live tweets by `author_ids` in (min_id, max_id): the pull model.

    A reply counts when it is a self-thread, or when it answers one of `reply_targets`
    (for a home timeline: the viewer and everyone the viewer follows). Without targets
    only top-level tweets and self-threads count (a user timeline). The viewer's own
    replies always count in their home timeline.
    """
    replies_ok = Q(reply_to_user_id__isnull=True) | Q(reply_to_user_id=F("author_id"))
    if reply_targets:
        replies_ok |= Q(reply_to_user_id__in=reply_targets)
    if viewer_id is not None:
        replies_ok |= Q(author_id=viewer_id)
    queryset = Tweet.objects.using(using).filter(replies_ok, author_id__in=author_ids, deleted_at__isnull=True)
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


def reply_ids_to(*, author_ids: list[int], reply_to_user_id: int, using: str, limit: int) -> list[int]:
    """Newest-first ids of live replies by `author_ids` to `reply_to_user_id`."""
    queryset = Tweet.objects.using(using).filter(
        author_id__in=author_ids, reply_to_user_id=reply_to_user_id, deleted_at__isnull=True
    )
    return list(queryset.order_by("-id").values_list("id", flat=True)[:limit])
