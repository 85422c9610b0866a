"""Every Redis key of the platform is built here, and nowhere else.

On a Redis Cluster (REDIS_CLUSTER) a script or transaction may touch keys of one hash
slot only, so keys that one call uses together share a hash tag (the part in braces):
a user's timelines, home state and liked / retweeted sets share `{<user id>}`, and the
hourly hashtag counts share `{tags}`. Other keys hash whole and spread over the nodes.
"""


def recent_write(user_id: int) -> str:
    """Set for a short while after `user_id` wrote: their reads then use the primary."""
    return f"rw:{user_id}"


def outbox_wake() -> str:
    """List the write path pushes to after a commit with events: wakes the outbox relay."""
    return "outbox:wake"


def beat_heartbeat() -> str:
    """Unix time of the last run of the periodic heartbeat task."""
    return "beat:heartbeat"


# --- Timelines (owned by apps.timelines.feeds) ------------------------------------------

# Prefixes (and the user timeline's suffix) are exposed for the page script, which
# builds per-author keys server-side on a single Redis.
USER_TIMELINE_PREFIX = "tl:u:{"
USER_TIMELINE_SUFFIX = "}"
TWEET_PREFIX = "tw:"
AUTHOR_CARD_PREFIX = "ua:"


def home_timeline(user_id: int) -> str:
    """List of tweet ids, newest first: what `user_id` sees (fanned-out authors only)."""
    return f"tl:h:{{{user_id}}}"


def user_timeline(user_id: int) -> str:
    """List of tweet ids, newest first: what `user_id` posted."""
    return f"{USER_TIMELINE_PREFIX}{user_id}{USER_TIMELINE_SUFFIX}"


def home_state(user_id: int) -> str:
    """Set that goes with `user_id`'s home list: the loaded mark, the celebrities merged
    into it at read time, and '-<id>' for each author hidden from it (see
    apps.timelines.feeds)."""
    return f"tl:c:{{{user_id}}}"


def viewer_blocks(user_id: int) -> str:
    """Set of the users `user_id` blocked or was blocked by (plus the member '0': the set
    is loaded): hidden from each other everywhere."""
    return f"tl:b:{{{user_id}}}"


def viewer_mutes(user_id: int) -> str:
    """Set of the users `user_id` muted (plus '0': loaded): hidden from their home."""
    return f"tl:m:{{{user_id}}}"


def tweet(tweet_id: int) -> str:
    """Pre-serialized tweet (see apps.timelines.feeds for the format), or a tombstone."""
    return f"{TWEET_PREFIX}{tweet_id}"


def author_card(user_id: int) -> str:
    """Pre-serialized {id, username, display_name, avatar_url} of an author."""
    return f"{AUTHOR_CARD_PREFIX}{user_id}"


def celebrities() -> str:
    """Set of authors whose tweets are merged at read time instead of fanned out."""
    return "celebrities"


def suspended_users() -> str:
    """Set of suspended users: their tweets are hidden everywhere at once."""
    return "suspended"


def rebuild_lock(list_key: str) -> str:
    """Held while one reader rebuilds the timeline list `list_key`."""
    return f"lock:rebuild:{list_key}"


# --- Who to follow (owned by apps.follows.suggestions) -------------------------------


def suggestions(user_id: int) -> str:
    """JSON: the accounts suggested to `user_id`, ranked, as the worker computed them."""
    return f"sg:{user_id}"


def suggestions_asked(user_id: int) -> str:
    """Set while the worker has been asked for `user_id`'s suggestions (one ask at a time)."""
    return f"sg:asked:{user_id}"


# --- Viewer flags (owned by apps.tweets.engagement) ----------------------------------


def viewer_likes(user_id: int) -> str:
    """Set of tweet ids `user_id` likes (plus the member '0': the set is loaded)."""
    return f"lk:{{{user_id}}}"


def viewer_retweets(user_id: int) -> str:
    """Set of original tweet ids `user_id` retweeted (plus the member '0': loaded)."""
    return f"rt:{{{user_id}}}"


# --- Hashtags (owned by apps.tweets.trends) ------------------------------------------


def hashtag_counts(hour: int) -> str:
    """Sorted set: hashtag -> tweets using it in that hour (hours since the Unix epoch)."""
    return f"tags:{{tags}}:{hour}"


def hashtag_trend(hours: int) -> str:
    """Sorted set: the hourly counts of the last `hours` hours summed (kept briefly)."""
    return f"tags:{{tags}}:trend:{hours}"


def hashtag_counted(tweet_id: int) -> str:
    """Set while a tweet's hashtags are counted: a replayed event counts nothing twice."""
    return f"tags:seen:{tweet_id}"


# --- Streaming (owned by apps.streaming) ---------------------------------------------


def stream_home(user_id: int) -> str:
    """Pub/sub channel: new and deleted entries of `user_id`'s home timeline."""
    return f"stream:home:{user_id}"


def stream_notifications(user_id: int) -> str:
    """Pub/sub channel: new notifications of `user_id`."""
    return f"stream:notifications:{user_id}"


def stream_direct(user_id: int) -> str:
    """Pub/sub channel: new and deleted direct messages of `user_id`'s conversations."""
    return f"stream:direct:{user_id}"


def stream_public() -> str:
    """Pub/sub channel: every new original tweet, and every deleted tweet."""
    return "stream:public"


def stream_hashtag(tag: str) -> str:
    """Pub/sub channel: new tweets using `tag` (case-folded)."""
    return f"stream:hashtag:{tag}"


def stream_listeners() -> str:
    """Sorted set: user id -> until when they have a live stream open (Unix time)."""
    return "stream:listeners"


def stream_control(user_id: int) -> str:
    """Pub/sub channel: a session of `user_id` ended (logout, reuse) or they were suspended:
    open streams check and close."""
    return f"stream:control:{user_id}"


def open_streams(user_id: int) -> str:
    """Sorted set: stream id -> until when that stream of `user_id` counts as open."""
    return f"stream:open:{user_id}"


# --- Sessions and rate limits (owned by twitter.api.revocations and twitter.ratelimit) -----


def revocations() -> str:
    """Sorted set: revoked sessions ("s:<id>") and users ("u:<id>:<unix time>"), scored by
    when they may be forgotten (no token they cover is unexpired by then)."""
    return "revocations"


def revocation_epoch() -> str:
    """Counter bumped by every revocation: processes reload `revocations` when it moves."""
    return "revocations:epoch"


def rate_limit(bucket: str, ident_digest: str, window: int) -> str:
    """Requests counted in one window of a bucket; `ident_digest` is a hash, never raw input."""
    return f"rl:{bucket}:{ident_digest}:{window}"
