"""Every event the platform publishes: one frozen dataclass each, registered by its type.

An event is what a service tells the rest of the platform after its transaction commits
(`twitter.events.publish(TweetCreated(...))`). The class is the contract between the
service that publishes it and every consumer: its fields are the payload stored in the
outbox row and sent to consumer tasks (JSON), read back with `from_payload`. A field added
later needs a default, so that events already in the outbox still parse.

Who reacts to an event is found from its class: `events.subscribe(TweetCreated, task)`
(consumer tasks, in the worker) and `@events.on_commit_locally(TweetCreated)` (effects in
the publishing process right after commit).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Self, TypeVar


@dataclass(frozen=True)
class Event:
    TYPE: ClassVar[str]

    def payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The event from its stored payload (fields it does not know are left out)."""
        names = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in payload.items() if name in names})


REGISTRY: dict[str, type[Event]] = {}


_E = TypeVar("_E", bound=type[Event])


def _registered(cls: _E) -> _E:
    if cls.TYPE in REGISTRY:
        raise ValueError(f"two events are named {cls.TYPE}")
    REGISTRY[cls.TYPE] = cls
    return cls


@_registered
@dataclass(frozen=True)
class TweetCreated(Event):
    """A tweet, reply or retweet was posted."""

    TYPE: ClassVar[str] = "tweet.created"
    tweet_id: int
    author_id: int
    reply_to_id: int | None = None
    reply_to_user_id: int | None = None
    retweet_of_id: int | None = None
    retweet_of_author_id: int | None = None
    mention_ids: list[int] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)


@_registered
@dataclass(frozen=True)
class TweetDeleted(Event):
    """A tweet was deleted (or a retweet undone)."""

    TYPE: ClassVar[str] = "tweet.deleted"
    tweet_id: int
    author_id: int
    reply_to_id: int | None = None
    retweet_of_id: int | None = None
    hashtags: list[str] = field(default_factory=list)


@_registered
@dataclass(frozen=True)
class LikeCreated(Event):
    TYPE: ClassVar[str] = "like.created"
    user_id: int
    tweet_id: int
    tweet_author_id: int
    like_id: int | None = None


@_registered
@dataclass(frozen=True)
class LikeDeleted(Event):
    TYPE: ClassVar[str] = "like.deleted"
    user_id: int
    tweet_id: int
    tweet_author_id: int


@_registered
@dataclass(frozen=True)
class FollowCreated(Event):
    TYPE: ClassVar[str] = "follow.created"
    follower_id: int
    followee_id: int
    follow_id: int | None = None


@_registered
@dataclass(frozen=True)
class FollowDeleted(Event):
    TYPE: ClassVar[str] = "follow.deleted"
    follower_id: int
    followee_id: int


@_registered
@dataclass(frozen=True)
class UserRegistered(Event):
    TYPE: ClassVar[str] = "user.registered"
    user_id: int


@_registered
@dataclass(frozen=True)
class UserProfileUpdated(Event):
    """What other users see of the account changed (name, avatar, bio...)."""

    TYPE: ClassVar[str] = "user.profile_updated"
    user_id: int


@_registered
@dataclass(frozen=True)
class UserSuspended(Event):
    TYPE: ClassVar[str] = "user.suspended"
    user_id: int


@_registered
@dataclass(frozen=True)
class UserUnsuspended(Event):
    TYPE: ClassVar[str] = "user.unsuspended"
    user_id: int


@_registered
@dataclass(frozen=True)
class FanOutPartDue(Event):
    """A part of a big audience's fan-out, for any worker to deliver: the tweet goes to
    those of its author's followers whose ids are in (after_follower_id,
    last_follower_id]. Sent through the outbox like every event, so that a broker or a
    worker that loses the message does not lose the part."""

    TYPE: ClassVar[str] = "timeline.fan_out_part"
    tweet_id: int
    author_id: int
    after_follower_id: int
    last_follower_id: int
    reply_to_user_id: int | None = None
    retweet_of_id: int | None = None


@_registered
@dataclass(frozen=True)
class MessageCreated(Event):
    """A direct message was sent to a conversation (`participant_ids`: everyone in it)."""

    TYPE: ClassVar[str] = "message.created"
    message_id: int
    conversation_id: int
    sender_id: int
    participant_ids: list[int] = field(default_factory=list)


@_registered
@dataclass(frozen=True)
class MessageDeleted(Event):
    """Its sender deleted a direct message, for everyone in the conversation."""

    TYPE: ClassVar[str] = "message.deleted"
    message_id: int
    conversation_id: int
    sender_id: int
    participant_ids: list[int] = field(default_factory=list)


@_registered
@dataclass(frozen=True)
class BlockCreated(Event):
    """`blocker_id` blocked `blocked_id` (the follows between them are gone already)."""

    TYPE: ClassVar[str] = "block.created"
    blocker_id: int
    blocked_id: int


@_registered
@dataclass(frozen=True)
class BlockDeleted(Event):
    TYPE: ClassVar[str] = "block.deleted"
    blocker_id: int
    blocked_id: int


@_registered
@dataclass(frozen=True)
class MuteCreated(Event):
    TYPE: ClassVar[str] = "mute.created"
    muter_id: int
    muted_id: int


@_registered
@dataclass(frozen=True)
class MuteDeleted(Event):
    TYPE: ClassVar[str] = "mute.deleted"
    muter_id: int
    muted_id: int
