"""What shows in a home timeline: the one statement of the rule, and where each path
takes it from.

A tweet T by author A shows in viewer V's home when:

1. A is V, or V follows A. Fan-out pushes T to the homes of A's followers; a
   celebrity's tweets are merged at read time from A's own timeline instead.
2. T is a reply to someone other than A: then only to V who is that someone or follows
   them, and always to A (`reply_audience`; in SQL, `replies_shown`); and never when A
   is a celebrity (their tweets reach homes from their own timeline, which holds no
   replies to others: such a reply shows in its conversation only).
3. T is not deleted and, for a retweet, neither is the original.
4. Neither A nor, for a retweet, the original's author is suspended.
5. A is not hidden from V's home (V just unfollowed A: the entries are being removed).
6. A retweet, or the original itself, shows once per page, and not when the same
   original showed among the RETWEET_WINDOW entries just above the page
   (`first_showings`).
7. Neither A nor, for a retweet, the original's author blocked V or was blocked by V
   (this holds on every timeline, not only homes), nor, in V's home, was muted by V.

Rules 3-5 and 7 are decided per entry by `shows`. Rule 7 takes effect at the next read
(the exclusion sets the page script reads); the cached home lists follow it after the
fact: the block or mute's consumer takes the entries out, and an unblock or unmute merges
back what shows again. The paths that apply the rule:

- the database (fan-out on read, rebuilds, and the fallback when Redis cannot answer):
  `replies_shown` filters apps.tweets.selectors.timeline_ids; suspended authors,
  excluded authors (rule 7) and deleted tweets are filtered there too, and `shows` /
  `first_showings` when the page is resolved;
- fan-out: apps.timelines.services asks `reply_audience` who among the author's
  followers gets a tweet, and leaves out those whose rule 7 hides it;
- read time: apps.tweets.presentation.resolve and apps.timelines.cluster_page call
  `shows`; apps/timelines/lua/page.lua is the same rule written for one Redis call.

tests/timelines/test_visibility.py holds the paths to it: on random graphs (follows,
unfollows, replies, retweets, deletes, suspensions) the cached home equals the home
computed from the database.
"""

from collections.abc import Iterable, Sequence

from django.db.models import F, Q

from twitter.db.lookups import AnyOf

RETWEET_WINDOW = 20  # a tweet shows once among this many newer home entries


def reply_audience(*, author_id: int, reply_to_user_id: int | None) -> int | None:
    """Whom a tweet's readers must also follow (or be) to get it in their home: None for a
    top-level tweet or a self-thread (every follower of the author); the user replied to
    for a reply to someone else."""
    if reply_to_user_id is None or reply_to_user_id == author_id:
        return None
    return reply_to_user_id


def shown_on_profile(*, author_id: int, reply_to_user_id: int | None) -> bool:
    """Whether a tweet shows on its author's own timeline: not a reply to someone else."""
    return reply_audience(author_id=author_id, reply_to_user_id=reply_to_user_id) is None


def replies_shown(
    *, reply_targets: Sequence[int] | None, viewer_id: int | None, celebrity_ids: Iterable[int] = ()
) -> Q:
    """Rule 2 in SQL over tweets_tweet: top-level tweets and self-threads, replies to one
    of `reply_targets` (for a home: the viewer and everyone they follow) by authors not
    among `celebrity_ids`, and the viewer's own replies."""
    condition = Q(reply_to_user_id__isnull=True) | Q(reply_to_user_id=F("author_id"))
    if reply_targets:
        to_targets = Q(AnyOf(F("reply_to_user_id"), list(reply_targets)))
        celebrities = list(celebrity_ids)
        if celebrities:
            to_targets &= ~Q(AnyOf(F("author_id"), celebrities))
        condition |= to_targets
    if viewer_id is not None:
        condition |= Q(author_id=viewer_id)
    return condition


def shows(
    *,
    author_suspended: bool,
    author_hidden: bool,
    original_gone: bool = False,
    original_author_suspended: bool = False,
    excluded: bool = False,
) -> bool:
    """Rules 3-5 and 7 for one entry that exists (a deleted tweet never reaches this):
    `original_gone` is a retweet whose original is deleted; `excluded`, that its author
    or its original's is among the viewer's exclusions (blocks, and in a home mutes)."""
    return not (author_suspended or author_hidden or original_gone or original_author_suspended or excluded)


def first_showings(
    entries: Iterable[tuple[int, int]], *, above: Sequence[tuple[int, int]] = (), window: int = RETWEET_WINDOW
) -> list[int]:
    """Rule 6 over one page: of (tweet id, original id) pairs, newest first (the original
    id is the tweet's own for an original), the ids that show. An original shows once per
    page, and not when it showed among the `window` entries just above the page (`above`,
    newest first: those nearest the page last)."""
    recent = {original for _, original in above[-window:]} if window else set()
    shown: list[int] = []
    for tweet_id, original in entries:
        if original not in recent:
            shown.append(tweet_id)
            recent.add(original)
    return shown
