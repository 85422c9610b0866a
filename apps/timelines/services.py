"""Writes of the timelines context: fan-out, removal, rebuilds, celebrity changes.

Every function is idempotent: consumers of outbox events run at least once.
"""

import logging
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import transaction

from apps.follows import selectors as follow_selectors
from apps.timelines import feeds
from apps.timelines.models import Celebrity
from apps.tweets import cache, engagement, visibility
from apps.tweets import selectors as tweet_selectors
from apps.tweets.rendering import RenderedTweet
from apps.users import selectors as user_selectors
from twitter import events, metrics, streams
from twitter.db.routing import PRIMARY, read_alias
from twitter.event_types import FanOutPartDue
from twitter.ids import id_age_seconds, id_timestamp_ms, min_id_for_ms
from twitter.redis import Batch, redis_errors

logger = logging.getLogger(__name__)


def tweet_cache(*, tweet_ids: list[int], using: str) -> dict[int, bytes]:
    """Render live tweets from the database into the cache; return their cores."""
    rendered = tweet_selectors.tweets_render(tweet_ids=tweet_ids, using=using)
    cache.cache_tweets(rendered.values())
    return {tweet_id: tweet.core for tweet_id, tweet in rendered.items()}


def _related(*tweet_ids: int | None) -> list[int]:
    return [tweet_id for tweet_id in tweet_ids if tweet_id is not None]


def tweet_show_to_author(
    *,
    tweet_id: int,
    author_id: int,
    reply_to_id: int | None,
    reply_to_user_id: int | None,
    retweet_of_id: int | None = None,
    rendered: RenderedTweet | None = None,
    batch: Batch | None = None,
) -> None:
    """Right after commit: the author sees their own tweet at once (read-your-writes), and
    the tweet replied to or retweeted shows its new count.

    The write path passes the tweet as it rendered it (nothing is read back) and a batch
    its Redis writes join. The fan-out task repeats this in case the write-API's run
    failed; when the tweet is cached already, only the idempotent list inserts are
    repeated."""
    related = _related(reply_to_id, retweet_of_id)
    if rendered is not None:
        cache.cache_tweets([rendered], batch=batch)
        if related:
            tweet_cache(tweet_ids=related, using=PRIMARY)
    else:
        value = cache.cached_tweets([tweet_id])[0]
        if value == cache.TOMBSTONE:
            return  # deleted already
        if value is None:
            cached = tweet_cache(tweet_ids=[tweet_id, *related], using=PRIMARY)
            if tweet_id not in cached:
                return  # not live
    if retweet_of_id is not None:
        engagement.set_retweeted(user_id=author_id, tweet_id=retweet_of_id, retweeted=True)
    targets: list[feeds.Timeline] = [feeds.Home(author_id)]
    if visibility.shown_on_profile(author_id=author_id, reply_to_user_id=reply_to_user_id):
        targets.append(feeds.Profile(author_id))
    feeds.push(tweet_id, targets, batch=batch)


def tweet_fan_out(
    *,
    tweet_id: int,
    author_id: int,
    reply_to_id: int | None,
    reply_to_user_id: int | None,
    retweet_of_id: int | None = None,
    hashtags: Sequence[str] = (),
) -> int:
    """Push a new tweet (or retweet) to its author's lists and to active followers' home
    lists, and tell the public streams of an original (and the streams of its `hashtags`).

    Celebrities are not fanned out (their tweets are merged at read time). A reply to
    someone else reaches only followers who also follow that someone (or are them). A
    big audience is cut into parts of FANOUT_CHUNK_SIZE followers: every part but the
    first is an outbox event of its own (`FanOutPartDue`, on the fan-out queue: other
    worker processes take them at once, and the sweep sends again any part not done),
    and this task delivers the first.
    """
    away: Exception | None = None
    try:
        tweet_show_to_author(
            tweet_id=tweet_id,
            author_id=author_id,
            reply_to_id=reply_to_id,
            reply_to_user_id=reply_to_user_id,
            retweet_of_id=retweet_of_id,
        )
    except redis_errors as exc:  # a node holding the author's keys is away (a cluster)
        away = exc  # the followers on the other nodes still get the tweet; then a retry
    if retweet_of_id is None:  # the public streams show originals, as Mastodon's do
        streams.publish_public(tweet_id=tweet_id, hashtags=hashtags)
    using = _replayed_alias(tweet_id)
    left_out = _left_out(author_id=author_id, retweet_of_id=retweet_of_id, using=using)
    if author_id in left_out:  # a retweet of someone its author muted or blocked: hidden from them
        feeds.unpush([tweet_id], [feeds.Home(author_id)])
    else:
        streams.publish_home([author_id], event="update", tweet_id=tweet_id)
    also_following = visibility.reply_audience(author_id=author_id, reply_to_user_id=reply_to_user_id)
    if is_celebrity(author_id):
        # A celebrity's reply to someone else reaches no home (apps.tweets.visibility).
        if also_following is None:
            candidates = follow_selectors.followers_among(
                user_id=author_id, candidates=streams.listeners(), using=using
            )
            # Not fanned out, but their listening followers still see it live.
            streams.publish_home(
                [user for user in candidates if user not in left_out], event="update", tweet_id=tweet_id
            )
        return 0
    chunk = max(1, int(settings.FANOUT_CHUNK_SIZE))
    followers = _followers(author_id=author_id, also_following=also_following, left_out=left_out, using=using)
    parts = [
        (followers[start - 1], followers[min(start + chunk, len(followers)) - 1])
        for start in range(chunk, len(followers), chunk)
    ]
    if parts:
        with transaction.atomic():  # every part in one commit, then sent by the relay
            for after, last in parts:
                events.publish(
                    FanOutPartDue(
                        tweet_id=tweet_id,
                        author_id=author_id,
                        after_follower_id=after,
                        last_follower_id=last,
                        reply_to_user_id=reply_to_user_id,
                        retweet_of_id=retweet_of_id,
                    )
                )
    pushed = push_to_homes(tweet_id=tweet_id, follower_ids=followers[:chunk])
    if away is not None:
        raise away
    return pushed


def fan_out_part(
    *,
    tweet_id: int,
    author_id: int,
    after_follower_id: int,
    last_follower_id: int,
    reply_to_user_id: int | None,
    retweet_of_id: int | None = None,
) -> int:
    """One part of a big audience's fan-out (`FanOutPartDue`): the followers in the part's
    id range, read again (a follow or unfollow since is the follow events' business)."""
    also_following = visibility.reply_audience(author_id=author_id, reply_to_user_id=reply_to_user_id)
    using = _replayed_alias(tweet_id)
    followers = _followers(
        author_id=author_id,
        also_following=also_following,
        left_out=_left_out(author_id=author_id, retweet_of_id=retweet_of_id, using=using),
        using=using,
        after=after_follower_id,
        through=last_follower_id,
    )
    return push_to_homes(tweet_id=tweet_id, follower_ids=followers)


def _followers(
    *,
    author_id: int,
    also_following: int | None,
    left_out: set[int],
    using: str,
    after: int = -1,
    through: int | None = None,
) -> list[int]:
    """The followers whose homes take a tweet, in id order: by the reply rule, and none
    of `left_out`."""
    followers: list[int] = []
    for batch in follow_selectors.follower_id_batches(
        user_id=author_id,
        using=using,
        batch_size=max(int(settings.FANOUT_CHUNK_SIZE), int(settings.FANOUT_BATCH_SIZE)),
        also_following=also_following,
        after=after,
        through=through,
    ):
        followers += [follower for follower in batch if follower not in left_out]
    return followers


def _left_out(*, author_id: int, retweet_of_id: int | None, using: str) -> set[int]:
    """Whose homes never take a tweet (rule 7 of apps.tweets.visibility): those who muted,
    blocked or were blocked by its author or, for a retweet, the original's author."""
    authors = [author_id]
    if retweet_of_id is not None:
        original_author = tweet_selectors.author_of(tweet_id=retweet_of_id, using=PRIMARY)
        authors += [original_author] if original_author is not None else []
    return follow_selectors.excluding_ids(author_ids=authors, using=using)


def push_to_homes(*, tweet_id: int, follower_ids: list[int]) -> int:
    """Insert a tweet into these followers' existing home lists and tell those listening:
    one round trip per FANOUT_BATCH_SIZE followers (the insert and the question of who is
    listening go together). Returns how many lists got it."""
    pushed = 0
    size = int(settings.FANOUT_BATCH_SIZE)
    for start in range(0, len(follower_ids), size):
        batch_ids = follower_ids[start : start + size]
        batch = Batch()
        feeds.push(tweet_id, feeds.homes(batch_ids), batch=batch)
        asked = streams.ask_listening(batch, batch_ids)
        results = batch.execute()
        pushed += feeds.pushed(results[:asked])
        watching = streams.listening_among(batch_ids, results[asked])
        if watching:
            streams.publish_home(batch_ids, event="update", tweet_id=tweet_id, watching=watching)
    metrics.FANOUT_ENTRIES.inc(pushed)
    metrics.FANOUT_LAG.observe(max(0.0, id_age_seconds(tweet_id)))
    return pushed


def _replayed_alias(tweet_id: int) -> str:
    """Where to read the followers a tweet goes to: the replica once it has replayed the
    tweet (and so every follow committed before it), else the primary. A follow made just
    before the tweet is then never missed."""
    using = read_alias()
    if using != PRIMARY and not tweet_selectors.tweet_exists(tweet_id=tweet_id, using=using):
        return PRIMARY
    return using


def tweet_hide(*, tweet_id: int, author_id: int, reply_to_id: int | None, retweet_of_id: int | None = None) -> None:
    """Right after a delete commits: hidden everywhere (tombstone); the tweet replied to or
    retweeted shows its new count."""
    cache.tombstone(tweet_id)
    if retweet_of_id is not None:
        engagement.set_retweeted(user_id=author_id, tweet_id=retweet_of_id, retweeted=False)
    related = _related(reply_to_id, retweet_of_id)
    if related:
        tweet_cache(tweet_ids=related, using=PRIMARY)


def tweet_remove(*, tweet_id: int, author_id: int, reply_to_id: int | None, retweet_of_id: int | None = None) -> int:
    """A deleted tweet (or undone retweet): tombstoned, then taken out of every list."""
    tweet_hide(tweet_id=tweet_id, author_id=author_id, reply_to_id=reply_to_id, retweet_of_id=retweet_of_id)
    removed = feeds.unpush([tweet_id], [feeds.Profile(author_id), feeds.Home(author_id)])
    streams.publish_home([author_id], event="delete", tweet_id=tweet_id)
    if retweet_of_id is None:
        streams.publish_public_delete(tweet_id=tweet_id)
    for batch in follow_selectors.follower_id_batches(
        user_id=author_id, using=read_alias(), batch_size=settings.FANOUT_BATCH_SIZE
    ):
        removed += feeds.unpush([tweet_id], feeds.homes(batch))
        streams.publish_home(batch, event="delete", tweet_id=tweet_id)
    return removed


def _tweets_seen_through(*, follower_id: int, followee_id: int, limit: int, every_own_tweet: bool = False) -> list[int]:
    """Ids that are in `follower_id`'s home because they follow `followee_id`: the
    followee's tweets, and replies to the followee by others the follower follows.
    With `every_own_tweet`, all of the followee's tweets whatever the reply rule, deleted
    ones too (for removal: an entry the rule would not place now may have been placed
    before, and a delete whose removal ran after the unfollow did not reach this home)."""
    followees = follow_selectors.followee_ids(user_id=follower_id, using=PRIMARY)
    celebrities = celebrity_ids()  # never in home lists: merged at read time
    # Removal takes every entry there may be; a merge leaves out what rule 7 hides.
    excluded = set() if every_own_tweet else exclusions(viewer_id=follower_id, home=True)
    own = tweet_selectors.timeline_ids(
        author_ids=[followee_id],
        using=PRIMARY,
        limit=limit,
        reply_targets=None if every_own_tweet else [*followees, follower_id],
        viewer_id=followee_id if every_own_tweet else None,
        excluded_authors=excluded,
        live_only=not every_own_tweet,
    )
    repliers = celebrities | excluded | {followee_id}
    replies = tweet_selectors.reply_ids_to(
        author_ids=[author for author in followees if author not in repliers],
        reply_to_user_id=followee_id,
        using=PRIMARY,
        limit=limit,
        live_only=not every_own_tweet,
    )
    return sorted(set(own) | set(replies), reverse=True)


def follow_merge(*, follower_id: int, followee_id: int) -> None:
    """After a follow: the followee's recent tweets join the follower's home list."""
    feeds.hide_author(follower_id, followee_id, hidden=False)
    if not feeds.existing_homes([follower_id]):
        return  # rebuilt when next read
    if is_celebrity(followee_id):
        feeds.follow_celebrity([follower_id], followee_id, following=True)
        return
    seen = _tweets_seen_through(follower_id=follower_id, followee_id=followee_id, limit=feeds.cap())
    feeds.merge(seen, [feeds.Home(follower_id)])


def unfollow_hide(*, follower_id: int, followee_id: int) -> None:
    """Right after commit: the unfollowed author disappears from the home at once."""
    feeds.hide_author(follower_id, followee_id, hidden=True)


def unfollow_remove(*, follower_id: int, followee_id: int) -> None:
    """After an unfollow: the followee's entries leave the follower's home list. The
    author stays hidden for a while, so a fan-out that raced the unfollow shows nothing."""
    feeds.hide_author(follower_id, followee_id, hidden=True)
    feeds.follow_celebrity([follower_id], followee_id, following=False)
    if not feeds.existing_homes([follower_id]):
        return
    ids = _tweets_seen_through(
        follower_id=follower_id, followee_id=followee_id, limit=feeds.cap(), every_own_tweet=True
    )
    feeds.unpush(ids, [feeds.Home(follower_id)])


def like_changed(*, user_id: int, tweet_id: int, liked: bool) -> None:
    """After a like or unlike: the liker's flag and the tweet's count."""
    engagement.set_liked(user_id=user_id, tweet_id=tweet_id, liked=liked)
    tweet_cache(tweet_ids=[tweet_id], using=PRIMARY)


def user_suspension_changed(*, user_id: int, suspended: bool) -> None:
    feeds.set_suspended(user_id, suspended)
    cache.forget_author_card(user_id)


def suspended_reload(*, using: str | None = None) -> None:
    """Load the suspended set whole from the database (Redis lost it, or never had it)."""
    feeds.replace_suspended(user_selectors.user_ids_suspended(using=using or read_alias()))


def exclusions_reload(*, viewer_id: int) -> None:
    """Load a viewer's exclusion sets whole from the primary (Redis lost them, they
    expired, or they were never loaded): a block just committed is in them."""
    feeds.replace_exclusions(
        viewer_id,
        blocks=follow_selectors.block_related_ids(user_id=viewer_id, using=PRIMARY),
        mutes=follow_selectors.muted_ids(user_id=viewer_id, using=PRIMARY),
    )


def exclusions(*, viewer_id: int, home: bool) -> set[int]:
    """The authors a viewer's pages leave out (see feeds.exclusion_keys): from Redis,
    loaded when missing; from the database when Redis cannot answer."""
    try:
        found = feeds.excluded_ids(viewer_id, home=home)
        if found is None:
            exclusions_reload(viewer_id=viewer_id)
            found = feeds.excluded_ids(viewer_id, home=home)
        if found is not None:
            return found
    except redis_errors:
        pass
    blocked = follow_selectors.block_related_ids(user_id=viewer_id, using=PRIMARY)
    return blocked | follow_selectors.muted_ids(user_id=viewer_id, using=PRIMARY) if home else blocked


def blocks_changed(*, user_id: int, other_id: int) -> bool:
    """A block between the two was made or undone: both users' exclusions follow the
    primary (either may still block the other; a replayed event changes nothing). The
    follows between them went with their own events. Returns whether a block remains."""
    blocked = follow_selectors.blocked_between(user_id=user_id, other_id=other_id, using=PRIMARY)
    feeds.set_blocked(user_id, other_id, blocked)
    return blocked


def mutes_changed(*, muter_id: int, muted_id: int) -> bool:
    """A mute was made or undone: the muter's exclusions follow the primary. Returns
    whether the mute remains."""
    muted = follow_selectors.mute_exists(muter_id=muter_id, muted_id=muted_id)
    feeds.set_muted(muter_id, muted_id, muted)
    return muted


def block_settle(*, user_id: int, other_id: int) -> None:
    """The consumer of a block or unblock: the exclusions (as `blocks_changed`), then each
    one's cached home follows them (`_home_follows_exclusion`)."""
    blocked = blocks_changed(user_id=user_id, other_id=other_id)
    for viewer_id, author_id in ((user_id, other_id), (other_id, user_id)):
        excluded = blocked or follow_selectors.mute_exists(muter_id=viewer_id, muted_id=author_id)
        _home_follows_exclusion(viewer_id, author_id, excluded=excluded)


def mute_settle(*, muter_id: int, muted_id: int) -> None:
    """The consumer of a mute or unmute: the exclusions, then the muter's cached home."""
    muted = mutes_changed(muter_id=muter_id, muted_id=muted_id)
    excluded = muted or follow_selectors.blocked_between(user_id=muter_id, other_id=muted_id, using=PRIMARY)
    _home_follows_exclusion(muter_id, muted_id, excluded=excluded)


def _home_follows_exclusion(viewer_id: int, author_id: int, *, excluded: bool) -> None:
    """Clean a cached home list after the fact (pages hid the author at once): an excluded
    author's tweets, and retweets of them, leave it; when the author shows again, what
    the database says the home holds is merged back (not only the author's tweets: others'
    retweets of them too)."""
    home = feeds.Home(viewer_id)
    if excluded:
        held = feeds.ids(home)
        if held:
            gone = tweet_selectors.by_or_of_authors(tweet_ids=held, author_ids=[author_id], using=PRIMARY)
            feeds.unpush(gone, [home])
    elif feeds.existing_homes([viewer_id]):
        feeds.merge(home_ids_from_database(user_id=viewer_id, using=PRIMARY)[0], [home])


def author_changed(*, user_id: int) -> None:
    cache.forget_author_card(user_id)


# --- Rebuilds ---------------------------------------------------------------------


def home_ids_from_database(*, user_id: int, using: str, min_id: int | None = None) -> tuple[list[int], set[int]]:
    """What `user_id`'s home list holds by the rules: the newest tweets of the authors they
    follow and their own, replies by the home rule, none by or of authors they block, are
    blocked by or mute; celebrities are left to the read-time merge. Returns (ids newest
    first, the followed celebrities)."""
    followees = follow_selectors.followee_ids(user_id=user_id, using=using)
    celebrities = celebrity_ids() & set(followees)
    ids = tweet_selectors.timeline_ids(
        author_ids=[author for author in followees if author not in celebrities] + [user_id],
        reply_targets=[*followees, user_id],
        viewer_id=user_id,
        using=using,
        limit=feeds.cap(),
        min_id=min_id,
        excluded_authors=exclusions(viewer_id=user_id, home=True),
    )
    return ids, celebrities


def user_ids_from_database(*, user_id: int, using: str, min_id: int | None = None) -> list[int]:
    """What `user_id`'s user timeline holds: their tweets and self-threads, newest first."""
    return tweet_selectors.timeline_ids(author_ids=[user_id], using=using, limit=feeds.cap(), min_id=min_id)


def home_rebuild(*, user_id: int, using: str) -> None:
    """Rebuild a home list from the database (see `_publish`)."""
    ids, celebrities = home_ids_from_database(user_id=user_id, using=using)
    feeds.set_home_state(user_id, celebrities)

    def newer_than(newest: int | None) -> list[int]:
        return home_ids_from_database(user_id=user_id, using=PRIMARY, min_id=newest)[0]

    _publish(feeds.Home(user_id), ids, newer_than)


def user_rebuild(*, user_id: int, using: str) -> None:
    ids = user_ids_from_database(user_id=user_id, using=using)

    def newer_than(newest: int | None) -> list[int]:
        return user_ids_from_database(user_id=user_id, using=PRIMARY, min_id=newest)

    _publish(feeds.Profile(user_id), ids, newer_than)


def caught_up(ids: list[int], newer: list[int]) -> list[int]:
    """A rebuilt list: what the (maybe lagging) read found, with what the primary has
    committed since. When the primary is a whole list ahead, its entries are the list."""
    if len(newer) >= feeds.cap():
        return newer
    return sorted({*ids, *newer}, reverse=True)


def _publish(timeline: feeds.Timeline, ids: list[int], newer_than: Callable[[int | None], list[int]]) -> None:
    """Publish a rebuilt list only once it is whole: caught up on the primary first, then
    written in one atomic step, so no reader ever sees it half-made (readers waiting on
    the rebuild take the list as soon as it exists). A tweet whose fan-out ran between
    the primary's read and the write found no list: a last look at the primary merges
    it. That look starts COMMIT_SKEW_SECONDS below the newest id written, since tweets do
    not commit in id order (an id is taken before its transaction commits)."""
    whole = caught_up(ids, newer_than(ids[0] if ids else None))
    feeds.populate(timeline, whole)
    since = min_id_for_ms(id_timestamp_ms(whole[0]) - COMMIT_SKEW_SECONDS * 1000) if whole else None
    feeds.merge(newer_than(since), [timeline])  # merging what the list holds changes nothing


# How far out of id order tweets may commit: a write's id is taken in its transaction,
# which commits within the write-API's request (DB_POOL_TIMEOUT and a few statements).
COMMIT_SKEW_SECONDS = 5


# --- Celebrities ------------------------------------------------------------------


def celebrity_ids() -> set[int]:
    """Who is merged at read time: from Redis, loaded from the database when missing, and
    from the database alone when Redis cannot answer."""
    try:
        loaded = feeds.celebrity_ids()
    except redis_errors:
        return celebrities_in_database()
    return loaded if loaded is not None else celebrities_reload()


def is_celebrity(user_id: int) -> bool:
    try:
        answer = feeds.is_celebrity(user_id)
    except redis_errors:
        return user_id in celebrities_in_database()
    return answer if answer is not None else user_id in celebrities_reload()


def celebrities_in_database(*, using: str = PRIMARY, among: list[int] | None = None) -> set[int]:
    """The celebrities (of `among`, when given) as the database has them: for a read that
    must not depend on Redis, and to reload Redis."""
    queryset = Celebrity.objects.using(using)
    if among is not None:
        queryset = queryset.filter(user_id__in=among)
    return set(queryset.values_list("user_id", flat=True))


def celebrities_reload() -> set[int]:
    """Load the celebrity set whole from the database (Redis lost it, or never had it)."""
    ids = celebrities_in_database()
    feeds.replace_celebrities(ids)
    return ids


def _set_celebrity(user_id: int, value: bool) -> None:
    """The database first (what a reload reads), then the set in Redis."""
    if value:
        Celebrity.objects.using(PRIMARY).get_or_create(user_id=user_id)
    else:
        Celebrity.objects.using(PRIMARY).filter(user_id=user_id).delete()
    feeds.set_celebrity(user_id, value)


def celebrity_promote(*, user_id: int) -> None:
    """Stop fanning out `user_id`. Active followers merge them at read time first, then the
    flag flips (no tweet falls between the two), then their fanned-out entries leave the
    home lists (the merge shows them now)."""
    using = read_alias()
    homes: list[int] = []
    for batch in follow_selectors.follower_id_batches(
        user_id=user_id, using=using, batch_size=settings.FANOUT_BATCH_SIZE
    ):
        active = feeds.existing_homes(batch)
        feeds.follow_celebrity(active, user_id, following=True)
        homes += active
    _set_celebrity(user_id, True)
    recent = tweet_selectors.timeline_ids(author_ids=[user_id], using=using, limit=feeds.cap(), viewer_id=user_id)
    for start in range(0, len(homes), settings.FANOUT_BATCH_SIZE):
        feeds.unpush(recent, feeds.homes(homes[start : start + settings.FANOUT_BATCH_SIZE]))
    logger.info("user %s is now merged at read time", user_id)


def celebrity_demote(*, user_id: int) -> None:
    """Fan `user_id` out again: the flag flips first (new tweets are pushed), then each
    active follower gets the recent tweets in their list before the merge stops."""
    _set_celebrity(user_id, False)
    recent = tweet_selectors.timeline_ids(author_ids=[user_id], using=read_alias(), limit=feeds.cap())
    left_out = follow_selectors.excluding_ids(author_ids=[user_id], using=read_alias())
    for batch in follow_selectors.follower_id_batches(
        user_id=user_id, using=read_alias(), batch_size=settings.FANOUT_BATCH_SIZE
    ):
        homes = feeds.existing_homes(batch)
        feeds.merge(recent, feeds.homes(home for home in homes if home not in left_out))
        feeds.follow_celebrity(homes, user_id, following=False)
    logger.info("user %s is fanned out again", user_id)


def celebrities_sync(*, using: str | None = None) -> tuple[int, int]:
    """Bring the celebrity set in line with follower counts (with 10% hysteresis) and the
    suspended set with the database. Returns (promoted, demoted)."""
    using = using or read_alias()
    threshold = settings.CELEBRITY_FOLLOWERS
    wanted = set(user_selectors.user_ids_with_followers_at_least(count=threshold, using=using))
    keep = set(user_selectors.user_ids_with_followers_at_least(count=int(threshold * 0.9), using=using))
    current = celebrity_ids()
    for user_id in wanted - current:
        celebrity_promote(user_id=user_id)
    demoted = current - keep
    for user_id in demoted:
        celebrity_demote(user_id=user_id)
    suspended_reload(using=using)
    return len(wanted - current), len(demoted)


def celebrity_check(*, user_id: int) -> bool:
    """After a follow: whether `user_id` just crossed the threshold (and needs promotion)."""
    summary = user_selectors.user_summaries(user_ids=[user_id], using=PRIMARY).get(user_id)
    return summary is not None and summary.followers_count >= settings.CELEBRITY_FOLLOWERS and not is_celebrity(user_id)
