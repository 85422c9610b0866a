"""Seed a demo or benchmark graph fast: drawn in memory, then loaded through each context's
bulk loader (COPY), not one ORM save per row. Counters are computed, not recounted."""

import bisect
import dataclasses
import random
import time
from argparse import ArgumentParser
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apps.follows.bulk import follows_analyze, follows_bulk_load
from apps.timelines import services
from apps.tweets.bulk import BulkTweet, tweets_analyze, tweets_bulk_load
from apps.users import selectors as user_selectors
from apps.users.bulk import BulkUser, users_analyze, users_bulk_load
from twitter.db.routing import PRIMARY
from twitter.id_worker import current_worker_id
from twitter.ids import BackfillIds


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
        if user_selectors.user_username_taken(username=f"{opts['prefix']}0"):
            raise CommandError(f"users named {opts['prefix']}N exist already: choose another --prefix")
        started = time.monotonic()
        self.ids = BackfillIds(current_worker_id())
        now_ms = int(time.time() * 1000)
        start_ms = now_ms - (opts["days"] + 30) * 86_400_000
        user_ids = [self.ids.for_time(start_ms + i) for i in range(users)]
        edges = self._graph(users, opts, threshold)
        self._progress("follow graph", len(edges), started)
        tweets = self._tweets(user_ids, opts, now_ms)
        self._progress("tweets drawn", len(tweets), started)
        followers = Counter(followee for _, followee in edges)
        following = Counter(follower for follower, _ in edges)
        posted = Counter(tweet.author_id for tweet in tweets)
        replies = Counter(tweet.reply_to_id for tweet in tweets if tweet.reply_to_id is not None)
        follow_ms = now_ms - 86_400_000
        with transaction.atomic(using=PRIMARY):
            users_bulk_load(
                (
                    BulkUser(
                        id=user_id,
                        username=f"{opts['prefix']}{number}",
                        email=f"{opts['prefix']}{number}@example.com",
                        display_name=f"User {number}",
                        followers_count=followers[number],
                        following_count=following[number],
                        tweets_count=posted[user_id],
                    )
                    for number, user_id in enumerate(user_ids)
                ),
                password_hash=make_password(opts["password"]),
                joined=timezone.now(),
            )
            self._progress("users loaded", users, started)
            follows_bulk_load(
                ((self.ids.for_time(follow_ms), user_ids[a], user_ids[b]) for a, b in edges),
                created_at=timezone.now(),
            )
            self._progress("follows loaded", len(edges), started)
            tweets_bulk_load(dataclasses.replace(tweet, reply_count=replies[tweet.id]) for tweet in tweets)
            self._progress("tweets loaded", len(tweets), started)
        users_analyze()
        follows_analyze()
        tweets_analyze()
        promoted, _ = services.celebrities_sync(using=PRIMARY)  # the replica may not have the counts yet
        self.stdout.write(
            self.style.SUCCESS(
                f"seeded {users} users, {len(edges)} follows, {len(tweets)} tweets; {promoted} celebrities; "
                f"{time.monotonic() - started:.1f}s"
            )
        )

    def _progress(self, what: str, count: int, started: float) -> None:
        self.stdout.write(f"  {what}: {count:,} ({time.monotonic() - started:.1f}s)")

    def _graph(self, count: int, opts: dict[str, Any], threshold: int) -> set[tuple[int, int]]:
        """(follower, followee) user numbers. Followees are drawn with Zipf weights
        (rank^-1): a few accounts get most followers; the top ranks are the celebrities,
        then the big account."""
        cumulative = []
        total = 0.0
        for rank in range(count):
            total += 1.0 / (rank + 1)
            cumulative.append(total)
        followers: dict[int, set[int]] = {}
        for rank in range(opts["celebrities"]):
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
        return edges

    def _tweets(self, user_ids: list[int], opts: dict[str, Any], now_ms: int) -> list[BulkTweet]:
        """Tweets spread over the last --days, half by a power-law few, some replies."""
        count = opts["tweets"]
        span = opts["days"] * 86_400_000
        times = sorted(now_ms - self.rng.randrange(span) for _ in range(count))
        authors = [
            user_ids[min(int(self.rng.paretovariate(1.2)) - 1, len(user_ids) - 1)]
            if self.rng.random() < 0.5
            else self.rng.choice(user_ids)
            for _ in range(count)
        ]
        tweets: list[BulkTweet] = []
        for number, (unix_ms, author) in enumerate(zip(times, authors, strict=True), 1):
            reply_to = reply_user = None
            if tweets and self.rng.random() < opts["replies"]:
                parent = tweets[self.rng.randrange(len(tweets))]
                reply_to, reply_user = parent.id, parent.author_id
            tweets.append(
                BulkTweet(
                    id=self.ids.for_time(unix_ms),
                    author_id=author,
                    text=f"Seeded tweet {number} about #topic{number % 50}",
                    reply_to_id=reply_to,
                    reply_to_user_id=reply_user,
                )
            )
        return tweets
