"""Seed a demo or benchmark graph fast: COPY, not one ORM save per row."""

import bisect
import random
import time
from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.utils import timezone

from apps.timelines import services
from apps.tweets import entities
from twitter.db.routing import PRIMARY
from twitter.id_worker import current_worker_id
from twitter.ids import BackfillIds

USER_COLUMNS = (
    "id, password, is_superuser, username, email, display_name, bio, location, website, avatar_url,"
    " is_active, is_staff, date_joined, followers_count, following_count, tweets_count, likes_count"
)


class Command(BaseCommand):
    help = (
        "Seed users with a power-law follow graph (a few celebrities above CELEBRITY_FOLLOWERS), "
        "and tweets spread over time. Counters are exact; timelines build on first read."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--users", type=int, default=1000)
        parser.add_argument("--follows", type=int, default=20, help="average accounts each user follows")
        parser.add_argument("--tweets", type=int, default=10_000)
        parser.add_argument("--celebrities", type=int, default=2, help="accounts above the celebrity threshold")
        parser.add_argument("--big-account", type=int, default=0, help="one regular account with this many followers")
        parser.add_argument("--days", type=int, default=30, help="tweets spread over this many past days")
        parser.add_argument("--replies", type=float, default=0.1, help="share of tweets that are replies")
        parser.add_argument("--prefix", default="seed", help="usernames are <prefix><n>")
        parser.add_argument("--password", default="seed-password-1", help="password of every seeded user")
        parser.add_argument("--random-seed", type=int, default=42)

    def handle(self, *args: Any, **opts: Any) -> None:
        self.rng = random.Random(opts["random_seed"])  # noqa: S311 - test data, not secrets
        users, celebrities, big = opts["users"], opts["celebrities"], opts["big_account"]
        threshold = settings.CELEBRITY_FOLLOWERS
        if celebrities and users <= threshold:
            raise CommandError(f"--celebrities needs more than CELEBRITY_FOLLOWERS={threshold} users")
        if big >= users or (big and big >= threshold):
            raise CommandError("--big-account must be below both --users and CELEBRITY_FOLLOWERS")
        if len(opts["prefix"]) + len(str(users)) > 15 or not opts["prefix"].replace("_", "").isalnum():
            raise CommandError("--prefix must be letters, digits or _ and leave room for the number (15 in all)")
        if self._taken(opts["prefix"]):
            raise CommandError(f"users named {opts['prefix']}N exist already: choose another --prefix")
        started = time.monotonic()
        self.ids = BackfillIds(current_worker_id())
        now_ms = int(time.time() * 1000)
        with transaction.atomic(using=PRIMARY):
            user_ids = self._users(users, opts, now_ms)
            edges = self._follows(user_ids, opts, threshold)
            self._tweets(user_ids, opts, now_ms)
            self._counters()
        promoted, _ = services.celebrities_sync(using=PRIMARY)  # the replica may not have the counts yet
        self.stdout.write(
            self.style.SUCCESS(
                f"seeded {users} users, {edges} follows, {opts['tweets']} tweets; {promoted} celebrities; "
                f"{time.monotonic() - started:.1f}s"
            )
        )

    def _taken(self, prefix: str) -> bool:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT 1 FROM users_user WHERE lower(username) = lower(%s)", [f"{prefix}0"])
            return cursor.fetchone() is not None

    def _progress(self, what: str, done: int, total: int, started: float) -> None:
        rate = done / max(time.monotonic() - started, 1e-6)
        self.stdout.write(f"  {what}: {done}/{total} ({rate:,.0f}/s)")

    def _users(self, count: int, opts: dict[str, Any], now_ms: int) -> list[int]:
        started = time.monotonic()
        password = make_password(opts["password"])
        joined = timezone.now()
        start_ms = now_ms - (opts["days"] + 30) * 86_400_000
        ids = [self.ids.for_time(start_ms + i) for i in range(count)]
        with (
            connections[PRIMARY].cursor() as cursor,
            cursor.copy(f"COPY users_user ({USER_COLUMNS}) FROM STDIN") as copy,
        ):
            for number, user_id in enumerate(ids):
                name = f"{opts['prefix']}{number}"
                copy.write_row(
                    (
                        user_id,
                        password,
                        False,
                        name,
                        f"{name}@example.com",
                        f"User {number}",
                        "",
                        "",
                        "",
                        "",
                        True,
                        False,
                        joined,
                        0,
                        0,
                        0,
                        0,
                    )
                )
        self._progress("users", count, count, started)
        return ids

    def _follows(self, user_ids: list[int], opts: dict[str, Any], threshold: int) -> int:
        """Followees drawn with Zipf weights (rank^-1): a few accounts get most followers."""
        started = time.monotonic()
        count = len(user_ids)
        cumulative = []
        total = 0.0
        for rank in range(count):
            total += 1.0 / (rank + 1)
            cumulative.append(total)
        followers: dict[int, set[int]] = {}
        for rank in range(opts["celebrities"]):  # the top ranks are celebrities
            followers[rank] = set(self.rng.sample(range(count), min(count, int(threshold * 1.1) + 1))) - {rank}
        if opts["big_account"]:
            rank = opts["celebrities"]
            followers[rank] = set(self.rng.sample(range(count), opts["big_account"] + 1)) - {rank}
            followers[rank] = set(list(followers[rank])[: opts["big_account"]])
        fixed = set(followers)
        edges: set[tuple[int, int]] = {(f, rank) for rank, fans in followers.items() for f in fans}
        for follower in range(count):
            wanted = max(1, int(self.rng.expovariate(1 / max(opts["follows"], 1))))
            for _ in range(wanted * 2):
                followee = bisect.bisect_left(cumulative, self.rng.random() * total)
                if followee != follower and followee not in fixed:
                    edges.add((follower, followee))
                    wanted -= 1
                    if wanted <= 0:
                        break
        with (
            connections[PRIMARY].cursor() as cursor,
            cursor.copy("COPY follows_follow (id, follower_id, followee_id, created_at) FROM STDIN") as copy,
        ):
            now = timezone.now()
            for number, (follower, followee) in enumerate(edges, 1):
                copy.write_row(
                    (
                        self.ids.for_time(int(time.time() * 1000) - 86_400_000),
                        user_ids[follower],
                        user_ids[followee],
                        now,
                    )
                )
                if number % 200_000 == 0:
                    self._progress("follows", number, len(edges), started)
        self._progress("follows", len(edges), len(edges), started)
        return len(edges)

    def _tweets(self, user_ids: list[int], opts: dict[str, Any], now_ms: int) -> None:
        started = time.monotonic()
        count = opts["tweets"]
        span = opts["days"] * 86_400_000
        times = sorted(now_ms - self.rng.randrange(span) for _ in range(count))
        authors = [
            user_ids[min(int(self.rng.paretovariate(1.2)) - 1, len(user_ids) - 1)]
            if self.rng.random() < 0.5
            else self.rng.choice(user_ids)
            for _ in range(count)
        ]
        made: list[tuple[int, int]] = []
        tagged: list[tuple[str, int]] = []
        with (
            connections[PRIMARY].cursor() as cursor,
            cursor.copy(
                "COPY tweets_tweet (id, author_id, text, reply_to_id, reply_to_user_id, created_at,"
                " reply_count, like_count, retweet_count, entities, media) FROM STDIN"
            ) as copy,
        ):
            for number, (unix_ms, author) in enumerate(zip(times, authors, strict=True), 1):
                tweet_id = self.ids.for_time(unix_ms)
                reply_to = reply_user = None
                if made and self.rng.random() < opts["replies"]:
                    reply_to, reply_user = made[self.rng.randrange(len(made))]
                created = datetime.fromtimestamp(unix_ms / 1000, tz=UTC)
                text = f"Seeded tweet {number} about #topic{number % 50}"
                found = entities.hashtags(text)
                tags = [{"tag": tag.value, "start": tag.start, "end": tag.end} for tag in found]
                copy.write_row(
                    (
                        tweet_id,
                        author,
                        text,
                        reply_to,
                        reply_user,
                        created,
                        0,
                        0,
                        0,
                        orjson.dumps({"hashtags": tags, "mentions": []}).decode(),
                        "[]",
                    )
                )
                tagged.extend((entities.normalize_tag(tag.value), tweet_id) for tag in found)
                made.append((tweet_id, author))
                if number % 100_000 == 0:
                    self._progress("tweets", number, count, started)
        with (
            connections[PRIMARY].cursor() as cursor,
            cursor.copy("COPY tweets_tweethashtag (tag, tweet_id) FROM STDIN") as copy,
        ):
            for row in tagged:
                copy.write_row(row)
        self._progress("tweets", count, count, started)

    def _counters(self) -> None:
        started = time.monotonic()
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute(
                "UPDATE users_user u SET followers_count = c.n FROM (SELECT followee_id AS id, count(*) AS n"
                " FROM follows_follow GROUP BY followee_id) c WHERE u.id = c.id"
            )
            cursor.execute(
                "UPDATE users_user u SET following_count = c.n FROM (SELECT follower_id AS id, count(*) AS n"
                " FROM follows_follow GROUP BY follower_id) c WHERE u.id = c.id"
            )
            cursor.execute(
                "UPDATE users_user u SET tweets_count = c.n FROM (SELECT author_id AS id, count(*) AS n"
                " FROM tweets_tweet WHERE deleted_at IS NULL GROUP BY author_id) c WHERE u.id = c.id"
            )
            cursor.execute(
                "UPDATE tweets_tweet t SET reply_count = c.n FROM (SELECT reply_to_id AS id, count(*) AS n"
                " FROM tweets_tweet WHERE reply_to_id IS NOT NULL AND deleted_at IS NULL GROUP BY reply_to_id) c"
                " WHERE t.id = c.id"
            )
            cursor.execute("ANALYZE users_user; ANALYZE follows_follow; ANALYZE tweets_tweet")
        self.stdout.write(f"  counters and statistics ({time.monotonic() - started:.1f}s)")
