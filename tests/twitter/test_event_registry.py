"""The event registry, walked: every event type is published by a service and consumed,
its payload round-trips, and every consumer is idempotent under replay (delivery is at
least once, and a replay may come after later events)."""

import ast
import hashlib
from dataclasses import MISSING
from pathlib import Path
from typing import Any

import pytest
from celery import current_app
from django.apps import apps as django_apps
from django.db import connection

from apps.follows import services as follow_services
from apps.messages import services as message_services
from apps.tweets import services as tweet_services
from apps.users import services as user_services
from tests.conftest import Events
from tests.factories import UserFactory
from twitter import events
from twitter.event_types import REGISTRY, Event
from twitter.models import OutboxEvent
from twitter.redis import get_redis

ROOT = Path(__file__).resolve().parents[2]


def _published_classes() -> set[str]:
    """Names of the event classes passed to `events.publish(...)` anywhere in apps/."""
    found = set()
    for path in (ROOT / "apps").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "publish"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "events"
                and node.args
                and isinstance(node.args[0], ast.Call)
                and isinstance(node.args[0].func, ast.Name)
            ):
                found.add(node.args[0].func.id)
    return found


def test_every_event_type_is_published_by_a_service_and_consumed() -> None:
    assert len(REGISTRY) == 17
    assert _published_classes() == {cls.__name__ for cls in REGISTRY.values()}
    for event_type in REGISTRY:
        consumers = events.subscribers(event_type)
        assert consumers or events.local_handlers(event_type), f"{event_type} has no consumer"
        for task_name in consumers:
            assert events.is_consumer(task_name)
            assert task_name in current_app.tasks, f"{task_name} ({event_type}) is not a task"


@pytest.mark.parametrize("cls", list(REGISTRY.values()), ids=list(REGISTRY))
def test_a_payload_round_trips_and_older_payloads_still_parse(cls: type[Event]) -> None:
    required = {
        name: 7 for name, field in cls.__dataclass_fields__.items() if field.default is MISSING is field.default_factory
    }
    event = cls(**required)
    assert cls.from_payload(event.payload()) == event
    assert cls.from_payload({**event.payload(), "a_field_from_a_newer_release": 1}) == event


_VOLATILE = ("rw:", "outbox:wake", "beat:", "lock:", "stream:", "rl:", "revocations", "cache:")


def _value(client: Any, key: bytes) -> Any:
    kind = client.type(key).decode()
    if kind == "list":
        return client.lrange(key, 0, -1)
    if kind == "set":
        return sorted(client.smembers(key))
    if kind == "zset":
        return client.zrange(key, 0, -1, withscores=True)
    if kind == "hash":
        return sorted(client.hgetall(key).items())
    return client.get(key)


def _state() -> str:
    """A digest of everything consumers write: every app table (the outbox aside) and
    every Redis key that is not a timer, a lock or a counter of requests."""
    digest = hashlib.sha256()
    for model in django_apps.get_models():
        if model._meta.app_label in ("twitter", "admin", "sessions", "contenttypes", "auth", "token_blacklist"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {model._meta.db_table} ORDER BY 1")  # noqa: S608 - model tables
            digest.update(repr(cursor.fetchall()).encode())
    client = get_redis()
    for key in sorted(client.scan_iter(count=1000)):
        name = key.decode()
        if name.startswith(_VOLATILE):
            continue
        digest.update(f"{name}={_value(client, key)!r}".encode())
    return digest.hexdigest()


def test_every_consumer_is_idempotent_under_replay(outbox: Events, settings: Any) -> None:
    """A story that publishes every event type, delivered once; then every event of it is
    delivered again to every consumer, in order (a replay also comes after the events that
    followed it), and nothing changes."""
    settings.CELEBRITY_FOLLOWERS = 100
    settings.FANOUT_CHUNK_SIZE = 1  # alice's audience of two is fanned out in parts
    alice = user_services.user_register(username="alice", email="alice@example.com", password="Alice-pass-2026")
    bob, carol = UserFactory(), UserFactory()
    for follower in (bob, carol):
        follow_services.follow_create(follower_id=follower.pk, followee_id=alice.pk)
    outbox.deliver()
    tweet = tweet_services.tweet_create(author_id=alice.pk, text=f"hello @{bob.username} #replay").tweet
    reply = tweet_services.tweet_create(author_id=bob.pk, text="a reply", reply_to_id=tweet.pk).tweet
    tweet_services.like_create(user_id=bob.pk, tweet_id=tweet.pk)
    tweet_services.retweet_create(user_id=carol.pk, tweet_id=tweet.pk)
    outbox.deliver()
    conversation = message_services.conversation_start(user_id=alice.pk, participant_ids=[bob.pk]).conversation
    message = message_services.message_send(user_id=alice.pk, conversation_id=conversation.id, text="hi bob")
    message_services.message_delete(user_id=alice.pk, conversation_id=conversation.id, message_id=message.id)
    dave = UserFactory()
    follow_services.mute_create(muter_id=alice.pk, muted_id=carol.pk)
    follow_services.block_create(blocker_id=alice.pk, blocked_id=dave.pk)
    follow_services.mute_delete(muter_id=alice.pk, muted_id=carol.pk)
    follow_services.block_delete(blocker_id=alice.pk, blocked_id=dave.pk)
    tweet_services.like_delete(user_id=bob.pk, tweet_id=tweet.pk)
    tweet_services.tweet_delete(tweet_id=reply.pk, actor_id=bob.pk)
    follow_services.follow_delete(follower_id=carol.pk, followee_id=alice.pk)
    user_services.user_update_profile(user_id=alice.pk, changes={"display_name": "Alice A."})
    user_services.user_suspend(user_id=bob.pk)
    user_services.user_unsuspend(user_id=bob.pk)
    outbox.deliver()
    published = set(OutboxEvent.objects.values_list("event_type", flat=True))
    assert published == set(REGISTRY), set(REGISTRY) - published
    before = _state()
    replayed = 0
    for event in OutboxEvent.objects.order_by("id"):
        for task_name in events.subscribers(event.event_type, event.payload):
            current_app.tasks[task_name](event.id, event.payload)
            replayed += 1
    assert replayed >= len(REGISTRY)
    assert _state() == before
