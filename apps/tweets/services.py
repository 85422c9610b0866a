"""Writes of the tweets context: tweets, retweets and likes."""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.media import services as media_services
from apps.tweets import entities
from apps.tweets.models import TEXT_MAX_LENGTH, Like, Tweet, TweetHashtag, TweetMention
from apps.users import selectors as user_selectors
from apps.users import services as user_services
from twitter import events
from twitter.db.routing import PRIMARY, mark_recent_write
from twitter.db.rows import insert_row
from twitter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from twitter.event_types import LikeCreated, LikeDeleted, TweetCreated, TweetDeleted
from twitter.text import required_text


def _entities(text: str, author_id: int) -> tuple[dict[str, Any], list[int], list[str]]:
    """(the entities JSON, ids of users mentioned, case-folded hashtags)."""
    tags = entities.hashtags(text)
    found = entities.mentions(text)
    users = user_selectors.user_ids_by_username(usernames=[m.value for m in found], using=PRIMARY)
    mentions = [
        {"id": str(users[m.value.lower()][0]), "username": users[m.value.lower()][1], "start": m.start, "end": m.end}
        for m in found
        if m.value.lower() in users
    ]
    data = {
        "hashtags": [{"tag": tag.value, "start": tag.start, "end": tag.end} for tag in tags],
        "mentions": mentions,
    }
    mentioned = sorted({users[m.value.lower()][0] for m in found if m.value.lower() in users} - {author_id})
    return data, mentioned, sorted({entities.normalize_tag(tag.value) for tag in tags})


def _original_for_update(tweet_id: int) -> Tweet | None:
    """The tweet, locked; a retweet stands for its original (locked too). None if missing."""
    tweet = Tweet.objects.select_for_update().filter(pk=tweet_id).first()
    if tweet is not None and tweet.retweet_of_id is not None:
        tweet = Tweet.objects.select_for_update().filter(pk=tweet.retweet_of_id).first()
    return tweet


def _live_tweet_for_update(tweet_id: int, *, field: str) -> Tweet:
    """As `_original_for_update`, with a clear 4xx when the tweet is missing or deleted."""
    tweet = _original_for_update(tweet_id)
    if tweet is None or tweet.is_deleted:
        raise NotFoundError(
            "The tweet does not exist or was deleted.", code="tweet_not_found", fields={field: ["No such tweet."]}
        )
    return tweet


@dataclass(frozen=True)
class Posted:
    """A tweet just posted, with what the caller needs to render it: no query of its own."""

    tweet: Tweet
    author: user_selectors.UserSummary


def tweet_create(
    *, author_id: int, text: str, reply_to_id: int | None = None, media_ids: list[int] | None = None
) -> Posted:
    """Post a tweet.

    The least work that keeps the guarantees: the author's counter update is also the
    check that they may post (inside the transaction: a suspension cannot slip between)
    and the lookup of their card; the local effects get the row in memory (nothing is
    read back); the outbox row commits with the tweet."""
    clean = required_text(text, max_length=TEXT_MAX_LENGTH, empty="A tweet needs some text.")
    data, mentioned, tags = _entities(clean, author_id)
    with transaction.atomic():
        reply_to_user_id = None
        if reply_to_id is not None:
            try:
                parent = _live_tweet_for_update(reply_to_id, field="reply_to_id")
            except NotFoundError as exc:
                raise ApplicationError(
                    "The tweet replied to does not exist or was deleted.",
                    code="reply_target_unavailable",
                    fields=exc.fields,
                ) from exc
            reply_to_id, reply_to_user_id = parent.id, parent.author_id
            Tweet.objects.filter(pk=parent.id).update(reply_count=F("reply_count") + 1)
        tweet = Tweet(
            author_id=author_id, text=clean, reply_to_id=reply_to_id, reply_to_user_id=reply_to_user_id, entities=data
        )
        if media_ids:
            tweet.media = media_services.media_attach_to_tweet(
                owner_id=author_id, media_ids=media_ids, tweet_id=tweet.id
            )
        insert_row(tweet)  # the write path's one big insert: without the ORM's per-save work
        TweetHashtag.objects.bulk_create([TweetHashtag(tag=tag, tweet_id=tweet.id) for tag in tags])
        TweetMention.objects.bulk_create([TweetMention(tweet_id=tweet.id, user_id=user) for user in mentioned])
        author = user_services.user_counter_adjust_active(user_id=author_id, field="tweets_count", delta=1)
        _publish_created(tweet, mentioned=mentioned, hashtags=tags)
    return Posted(tweet=tweet, author=author)


def _publish_created(
    tweet: Tweet, *, mentioned: list[int], hashtags: list[str], original_author_id: int | None = None
) -> None:
    events.publish(
        TweetCreated(
            tweet_id=tweet.id,
            author_id=tweet.author_id,
            reply_to_id=tweet.reply_to_id,
            reply_to_user_id=tweet.reply_to_user_id,
            retweet_of_id=tweet.retweet_of_id,
            retweet_of_author_id=original_author_id,
            mention_ids=mentioned,
            hashtags=hashtags,
        ),
        context={"tweet": tweet},
        writer_id=tweet.author_id,
    )


def _tombstone(tweet: Tweet) -> None:
    """Mark one tweet deleted, with its counters and its event (in the caller's transaction)."""
    tweet.deleted_at = timezone.now()
    tweet.save(update_fields=["deleted_at"])
    if tweet.reply_to_id is not None:
        Tweet.objects.filter(pk=tweet.reply_to_id).update(reply_count=Greatest(F("reply_count") - 1, 0))
    if tweet.retweet_of_id is not None:
        Tweet.objects.filter(pk=tweet.retweet_of_id).update(retweet_count=Greatest(F("retweet_count") - 1, 0))
    user_services.user_counters_adjust(deltas={tweet.author_id: {"tweets_count": -1}})
    events.publish(
        TweetDeleted(
            tweet_id=tweet.id,
            author_id=tweet.author_id,
            reply_to_id=tweet.reply_to_id,
            retweet_of_id=tweet.retweet_of_id,
            hashtags=[h["tag"] for h in (tweet.entities or {}).get("hashtags", [])],
        )
    )


def tweet_delete(*, tweet_id: int, actor_id: int, actor_is_staff: bool | None = None) -> None:
    """Delete a tweet: its author or staff (looked up when not given). Hidden at once,
    removed from timelines after. Deleting an original deletes its retweets."""
    with transaction.atomic():
        tweet = Tweet.objects.select_for_update().filter(pk=tweet_id).first()
        if tweet is None or tweet.is_deleted:
            raise NotFoundError("Tweet not found.", code="tweet_not_found")
        if tweet.author_id != actor_id and not (
            actor_is_staff if actor_is_staff is not None else user_selectors.user_is_staff(user_id=actor_id)
        ):
            raise PermissionDeniedError("You can only delete your own tweets.")
        _tombstone(tweet)
        if tweet.retweet_of_id is None:
            for retweet in Tweet.objects.select_for_update().filter(retweet_of_id=tweet.id, deleted_at__isnull=True):
                _tombstone(retweet)
        mark_recent_write(actor_id)


# --- Retweets -----------------------------------------------------------------------


def retweet_create(*, user_id: int, tweet_id: int) -> tuple[Tweet, bool]:
    """Retweet (idempotent; a retweet of a retweet retweets its original).
    Returns (the retweet, whether it was made now)."""
    with transaction.atomic():
        original = _live_tweet_for_update(tweet_id, field="tweet_id")
        existing = Tweet.objects.filter(author_id=user_id, retweet_of_id=original.id, deleted_at__isnull=True).first()
        if existing is not None:
            user_services.user_counter_adjust_active(user_id=user_id, field="tweets_count", delta=0)  # still active
            return existing, False
        retweet = Tweet.objects.create(author_id=user_id, text="", retweet_of_id=original.id)
        Tweet.objects.filter(pk=original.id).update(retweet_count=F("retweet_count") + 1)
        user_services.user_counter_adjust_active(user_id=user_id, field="tweets_count", delta=1)
        _publish_created(retweet, mentioned=[], hashtags=[], original_author_id=original.author_id)
    return retweet, True


def retweet_delete(*, user_id: int, tweet_id: int) -> tuple[int, bool]:
    """Undo a retweet of `tweet_id` (the original or any retweet of it); idempotent.
    Returns (the original's id, whether a retweet was undone now)."""
    with transaction.atomic():
        original = _original_for_update(tweet_id)  # locked: serialized with retweet_create
        if original is None:
            raise NotFoundError("Tweet not found.", code="tweet_not_found")
        original_id = original.id
        retweet = (
            Tweet.objects.select_for_update()
            .filter(author_id=user_id, retweet_of_id=original_id, deleted_at__isnull=True)
            .first()
        )
        if retweet is None:
            return original_id, False
        _tombstone(retweet)
        mark_recent_write(user_id)
    return original_id, True


# --- Likes --------------------------------------------------------------------------


def like_create(*, user_id: int, tweet_id: int) -> tuple[Tweet, bool]:
    """Like (idempotent; liking a retweet likes its original). Returns (the tweet liked,
    with its new count, whether the like was made now)."""
    with transaction.atomic():
        tweet = _live_tweet_for_update(tweet_id, field="tweet_id")
        try:
            with transaction.atomic():
                like = Like.objects.create(user_id=user_id, tweet_id=tweet.id)
        except IntegrityError:
            user_services.user_counter_adjust_active(user_id=user_id, field="likes_count", delta=0)  # still active
            return tweet, False
        Tweet.objects.filter(pk=tweet.id).update(like_count=F("like_count") + 1)
        user_services.user_counter_adjust_active(user_id=user_id, field="likes_count", delta=1)
        tweet.like_count += 1
        events.publish(
            LikeCreated(user_id=user_id, tweet_id=tweet.id, tweet_author_id=tweet.author_id, like_id=like.id),
            writer_id=user_id,
        )
    return tweet, True


def like_delete(*, user_id: int, tweet_id: int) -> tuple[Tweet, bool]:
    """Unlike (idempotent, also once the tweet is deleted). Returns (the tweet, whether a
    like was removed now)."""
    with transaction.atomic():
        tweet = _original_for_update(tweet_id)
        if tweet is None:
            raise NotFoundError("Tweet not found.", code="tweet_not_found")
        deleted, _ = Like.objects.filter(user_id=user_id, tweet_id=tweet.id).delete()
        if not deleted:
            return tweet, False
        Tweet.objects.filter(pk=tweet.id).update(like_count=Greatest(F("like_count") - 1, 0))
        user_services.user_counters_adjust(deltas={user_id: {"likes_count": -1}})
        tweet.like_count = max(tweet.like_count - 1, 0)
        events.publish(LikeDeleted(user_id=user_id, tweet_id=tweet.id, tweet_author_id=tweet.author_id))
        mark_recent_write(user_id)
    return tweet, True
