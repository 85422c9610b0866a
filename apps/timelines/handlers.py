"""Effects of events in the publishing process, right after commit: what the writer's next
read must already see. Each is best effort and repeated by the event's consumer task
(apps.timelines.tasks); all of them share the event's one Redis round trip."""

from apps.timelines import services
from apps.tweets.rendering import render_core
from twitter.event_types import (
    BlockCreated,
    BlockDeleted,
    FollowDeleted,
    LikeCreated,
    LikeDeleted,
    MuteCreated,
    MuteDeleted,
    TweetCreated,
    TweetDeleted,
    UserProfileUpdated,
    UserSuspended,
    UserUnsuspended,
)
from twitter.events import Committed, on_commit_locally


@on_commit_locally(TweetCreated)
def show_to_author(committed: Committed[TweetCreated]) -> None:
    event, tweet = committed.event, committed.context.get("tweet")
    services.tweet_show_to_author(
        tweet_id=event.tweet_id,
        author_id=event.author_id,
        reply_to_id=event.reply_to_id,
        reply_to_user_id=event.reply_to_user_id,
        retweet_of_id=event.retweet_of_id,
        rendered=render_core(tweet) if tweet is not None else None,
        batch=committed.redis,
    )


@on_commit_locally(TweetDeleted)
def hide(committed: Committed[TweetDeleted]) -> None:
    event = committed.event
    services.tweet_hide(
        tweet_id=event.tweet_id,
        author_id=event.author_id,
        reply_to_id=event.reply_to_id,
        retweet_of_id=event.retweet_of_id,
    )


@on_commit_locally(LikeCreated)
def liked(committed: Committed[LikeCreated]) -> None:
    services.like_changed(user_id=committed.event.user_id, tweet_id=committed.event.tweet_id, liked=True)


@on_commit_locally(LikeDeleted)
def unliked(committed: Committed[LikeDeleted]) -> None:
    services.like_changed(user_id=committed.event.user_id, tweet_id=committed.event.tweet_id, liked=False)


@on_commit_locally(FollowDeleted)
def unfollowed(committed: Committed[FollowDeleted]) -> None:
    services.unfollow_hide(follower_id=committed.event.follower_id, followee_id=committed.event.followee_id)


@on_commit_locally(UserSuspended)
def suspended(committed: Committed[UserSuspended]) -> None:
    services.user_suspension_changed(user_id=committed.event.user_id, suspended=True)


@on_commit_locally(UserUnsuspended)
def unsuspended(committed: Committed[UserUnsuspended]) -> None:
    services.user_suspension_changed(user_id=committed.event.user_id, suspended=False)


@on_commit_locally(UserProfileUpdated)
def author_changed(committed: Committed[UserProfileUpdated]) -> None:
    services.author_changed(user_id=committed.event.user_id)


# A block or mute hides at once: the writer's next page already leaves the other out.


@on_commit_locally(BlockCreated)
def block_made(committed: Committed[BlockCreated]) -> None:
    services.blocks_changed(user_id=committed.event.blocker_id, other_id=committed.event.blocked_id)


@on_commit_locally(BlockDeleted)
def block_undone(committed: Committed[BlockDeleted]) -> None:
    services.blocks_changed(user_id=committed.event.blocker_id, other_id=committed.event.blocked_id)


@on_commit_locally(MuteCreated)
def mute_made(committed: Committed[MuteCreated]) -> None:
    services.mutes_changed(muter_id=committed.event.muter_id, muted_id=committed.event.muted_id)


@on_commit_locally(MuteDeleted)
def mute_undone(committed: Committed[MuteDeleted]) -> None:
    services.mutes_changed(muter_id=committed.event.muter_id, muted_id=committed.event.muted_id)
