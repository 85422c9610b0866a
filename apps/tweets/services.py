"""Writes of the tweets context."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.tweets.models import TEXT_MAX_LENGTH, Tweet
from apps.users import selectors as user_selectors
from apps.users import services as user_services
from twitter import events
from twitter.db.routing import mark_recent_write
from twitter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from twitter.text import normalize_text


def _clean_text(text: Any) -> str:
    if not isinstance(text, str):
        raise ApplicationError("Invalid input.", fields={"text": ["Must be a string."]})
    try:
        clean = normalize_text(text, allow_newlines=True)
    except ValueError as exc:
        raise ApplicationError("Invalid input.", fields={"text": [str(exc)]}) from exc
    if not clean:
        raise ApplicationError("Invalid input.", fields={"text": ["A tweet needs some text."]})
    if len(clean) > TEXT_MAX_LENGTH:
        raise ApplicationError(
            "Invalid input.", fields={"text": [f"At most {TEXT_MAX_LENGTH} characters ({len(clean)} given)."]}
        )
    return clean


def tweet_create(
    *, author_id: int, text: str, reply_to_id: int | None = None, media_ids: list[int] | None = None
) -> Tweet:
    clean = _clean_text(text)
    if media_ids:
        raise ApplicationError("Invalid input.", fields={"media_ids": ["Unknown media id."]})
    author = user_selectors.user_active_summary(user_id=author_id)
    with transaction.atomic():
        reply_to_user_id = None
        if reply_to_id is not None:
            parent = Tweet.objects.select_for_update().filter(pk=reply_to_id).first()
            if parent is None or parent.is_deleted:
                raise ApplicationError(
                    "The tweet replied to does not exist or was deleted.",
                    code="reply_target_unavailable",
                    fields={"reply_to_id": ["No such tweet."]},
                )
            reply_to_user_id = parent.author_id
            Tweet.objects.filter(pk=reply_to_id).update(reply_count=F("reply_count") + 1)
        tweet = Tweet.objects.create(
            author_id=author.id, text=clean, reply_to_id=reply_to_id, reply_to_user_id=reply_to_user_id
        )
        user_services.user_counters_adjust(deltas={author.id: {"tweets_count": 1}})
        events.publish(
            "tweet.created",
            {
                "tweet_id": tweet.id,
                "author_id": author.id,
                "reply_to_id": reply_to_id,
                "reply_to_user_id": reply_to_user_id,
            },
        )
        mark_recent_write(author.id)
    return tweet


def tweet_delete(*, tweet_id: int, actor_id: int, actor_is_staff: bool = False) -> None:
    """Delete a tweet: its author or staff. Hidden at once, removed from timelines after."""
    with transaction.atomic():
        tweet = Tweet.objects.select_for_update().filter(pk=tweet_id).first()
        if tweet is None or tweet.is_deleted:
            raise NotFoundError("Tweet not found.", code="tweet_not_found")
        if tweet.author_id != actor_id and not actor_is_staff:
            raise PermissionDeniedError("You can only delete your own tweets.")
        tweet.deleted_at = timezone.now()
        tweet.save(update_fields=["deleted_at"])
        if tweet.reply_to_id is not None:
            Tweet.objects.filter(pk=tweet.reply_to_id).update(reply_count=Greatest(F("reply_count") - 1, 0))
        user_services.user_counters_adjust(deltas={tweet.author_id: {"tweets_count": -1}})
        events.publish(
            "tweet.deleted",
            {"tweet_id": tweet.id, "author_id": tweet.author_id, "reply_to_id": tweet.reply_to_id},
        )
        mark_recent_write(actor_id)
