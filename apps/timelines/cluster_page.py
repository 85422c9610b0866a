"""A page of a timeline on a Redis Cluster, where one script cannot reach other users'
lists or the tweet cache: they live on other nodes.

It returns what page.lua returns (see that script's header for the reply, the merge and
the cache boundary; which entries show is apps.tweets.visibility), in a few pipelined
rounds instead of one call:

1. the viewer's own keys in one single-slot script (own.lua): the list's head and tail,
   and a home's state (loaded mark, merged celebrities, hidden authors), TTLs refreshed;
2. the merged celebrities' lists, the suspended set's mark and the viewer's exclusion
   sets (blocks, mutes), one pipeline;
3. the candidates' cached values; then the originals they retweet, their authors' cards
   and whether they are suspended; then the originals' authors' (one pipeline each);
4. the viewer's flag sets for the page, in one single-slot pipeline.

A pipeline on a cluster is sent per node, so each round is one request per node.
The keys are the caller's (apps.timelines.feeds owns them); this module only reads.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from redis.commands.core import Script

from apps.tweets import visibility

FIRST_CHUNK = 64  # entries of each list read at first for a first page (the rest on demand)
END = b"0"


@dataclass(frozen=True)
class PageKeys:
    timeline: str
    state: str | None  # a home's state set (same slot as the list); None for a profile
    suspended: str
    exclusions: list[str]  # the viewer's blocks (and, in a home, mutes) sets; none: no viewer
    flag_sets: list[str]  # the viewer's flag sets (one slot: the viewer's); none: no viewer
    user_timeline: Callable[[int], str]
    tweet: Callable[[int], str]
    card: Callable[[int], str]


@dataclass
class _List:
    key: str
    entries: list[bytes]
    tail: bytes
    whole: bool  # every entry is loaded

    def entry(self, position: int, client: Any) -> bytes | None:
        if position >= len(self.entries) and not self.whole:
            self.entries += client.lrange(self.key, len(self.entries), -1)
            self.whole = True
        return self.entries[position] if position < len(self.entries) else None


@dataclass
class _Tweet:
    value: bytes
    author: bytes = b""
    original: bytes = b"0"
    orig_value: bytes | None = None
    orig_author: bytes | None = None
    orig_deleted: bool = False


@dataclass
class _Resolver:
    """Looks tweets up in the cache a batch at a time; remembers what it saw."""

    client: Any
    keys: PageKeys
    hidden: set[bytes]  # authors hidden from a home
    excluded: set[bytes]  # authors the viewer blocked, muted (a home) or was blocked by
    suspended_any: bool
    info: dict[bytes, _Tweet | None] = field(default_factory=dict)  # None: never shown
    cards: dict[bytes, bytes] = field(default_factory=dict)
    suspended: set[bytes] = field(default_factory=set)
    asked_suspended: set[bytes] = field(default_factory=set)

    def resolve(self, ids: list[bytes]) -> None:
        todo = [tweet_id for tweet_id in dict.fromkeys(ids) if tweet_id not in self.info]
        if not todo:
            return
        found: list[tuple[bytes, _Tweet]] = []
        for tweet_id, value in zip(todo, self._get([self.keys.tweet(int(t)) for t in todo]), strict=True):
            if value is None:
                self.info[tweet_id] = _Tweet(b"")
            elif value == b"x":
                self.info[tweet_id] = None
            else:
                author, original, _ = value.split(b"|", 2)
                found.append((tweet_id, _Tweet(value, author, original)))
        originals = sorted({item.original for _, item in found if item.original != END})
        authors = {item.author for _, item in found}
        pipe = self.client.pipeline(transaction=False)
        for original in originals:
            pipe.get(self.keys.tweet(int(original)))
        asked_cards = self._ask_cards(pipe, authors)
        asked = self._ask_suspended(pipe, authors)
        replies = pipe.execute()
        original_values = dict(zip(originals, replies[: len(originals)], strict=True))
        self._learn(asked_cards, asked, replies[len(originals) :])
        for _, item in found:
            original_value = original_values.get(item.original)
            item.orig_deleted = original_value == b"x"
            if original_value is not None and not item.orig_deleted:
                item.orig_value = original_value
                item.orig_author = original_value.split(b"|", 1)[0]
        orig_authors = {item.orig_author for _, item in found if item.orig_author is not None}
        unknown = orig_authors - self.asked_suspended if self.suspended_any else set()
        if orig_authors - self.cards.keys() or unknown:
            pipe = self.client.pipeline(transaction=False)
            asked_cards = self._ask_cards(pipe, orig_authors)
            asked = self._ask_suspended(pipe, orig_authors)
            self._learn(asked_cards, asked, pipe.execute())
        for tweet_id, item in found:
            shows = visibility.shows(
                author_suspended=item.author in self.suspended,
                author_hidden=item.author in self.hidden,
                original_gone=item.orig_deleted,
                original_author_suspended=item.orig_author in self.suspended,
                excluded=item.author in self.excluded or item.orig_author in self.excluded,
            )
            self.info[tweet_id] = item if shows else None

    def visible(self, tweet_id: bytes) -> tuple[bytes, bytes, bytes, bytes, bytes | None] | None:
        """(value, card, original's value, original's card, original id); None: not shown."""
        item = self.info[tweet_id]
        if item is None:
            return None
        if not item.value:
            return b"", b"", b"", b"", None
        original = tweet_id if item.original == END else item.original
        if item.orig_value is None or item.orig_author is None:
            return item.value, self.cards[item.author], b"", b"", original
        return item.value, self.cards[item.author], item.orig_value, self.cards[item.orig_author], original

    def _get(self, keys: list[str]) -> list[bytes | None]:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.get(key)
        return list(pipe.execute())

    def _ask_cards(self, pipe: Any, authors: set[bytes]) -> list[bytes]:
        asked = sorted(authors - self.cards.keys())
        for author in asked:
            pipe.get(self.keys.card(int(author)))
        return asked

    def _ask_suspended(self, pipe: Any, authors: set[bytes]) -> list[bytes]:
        asked = sorted(authors - self.asked_suspended) if self.suspended_any else []
        if asked:
            pipe.smismember(self.keys.suspended, asked)
        return asked

    def _learn(self, asked_cards: list[bytes], asked_suspended: list[bytes], replies: list[Any]) -> None:
        for author, card in zip(asked_cards, replies, strict=False):
            self.cards[author] = card or b""
        if asked_suspended:
            bits = replies[len(asked_cards)]
            self.suspended.update(author for author, bit in zip(asked_suspended, bits, strict=True) if bit)
            self.asked_suspended.update(asked_suspended)


def _newer(a: bytes, b: bytes) -> bool:
    return int(a) > int(b)


def read(
    client: Any,
    own: Script,
    keys: PageKeys,
    *,
    max_id: int | None,
    lower: int | None,
    limit: int,
    ascending: bool,
    ttl: int,
    window: int,
) -> list[Any]:
    """One page, in page.lua's reply format."""
    first_chunk = FIRST_CHUNK if max_id is None and not ascending else -1
    own_keys = [keys.timeline] if keys.state is None else [keys.timeline, keys.state]
    status, tail, members, entries = own(keys=own_keys, args=[first_chunk, ttl], client=client)
    if status == b"miss":
        return [b"miss", b"", b"", b""]
    celebrities = [m for m in members if m != END and not m.startswith(b"-")]
    hidden = {m[1:] for m in members if m.startswith(b"-")}
    pipe = client.pipeline(transaction=False)
    pipe.sismember(keys.suspended, "0")
    pipe.scard(keys.suspended)
    for key in keys.exclusions:
        pipe.smembers(key)
    for celebrity in celebrities:
        pipe.lindex(keys.user_timeline(int(celebrity)), -1)
        pipe.lrange(keys.user_timeline(int(celebrity)), 0, first_chunk - 1 if first_chunk > 0 else -1)
    loaded, suspended_count, *replies = pipe.execute()
    if not loaded:
        return [b"suspended", b"", b"", b""]
    exclusion_sets, celebrity_replies = replies[: len(keys.exclusions)], replies[len(keys.exclusions) :]
    if any(END not in members for members in exclusion_sets):
        return [b"exclusions", b"", b"", b""]
    excluded = {member for members in exclusion_sets for member in members} - {END}
    lists = [_List(keys.timeline, list(entries), tail, first_chunk < 0 or len(entries) < first_chunk)]
    for celebrity, (celebrity_tail, celebrity_entries) in zip(
        celebrities, zip(celebrity_replies[0::2], celebrity_replies[1::2], strict=True), strict=True
    ):
        if celebrity_tail is None:
            return [b"celebrity", b"", celebrity, b""]
        whole = first_chunk < 0 or len(celebrity_entries) < first_chunk
        lists.append(_List(keys.user_timeline(int(celebrity)), list(celebrity_entries), celebrity_tail, whole))

    boundary = b""
    for entry_list in lists:
        if entry_list.tail != END and (not boundary or _newer(entry_list.tail, boundary)):
            boundary = entry_list.tail
    if ascending and lower is not None and boundary and int(boundary) >= lower:
        return [b"db", boundary, b"", b""]

    above: list[bytes] = []
    candidates = _merged(client, lists, max_id=max_id, lower=lower, boundary=boundary, window=window, above=above)
    resolver = _Resolver(client, keys, hidden, excluded, suspended_any=int(suspended_count) > 1)
    shown: set[bytes] = set()

    def seed() -> None:
        """Originals shown just above this page count for the window too (`above` fills
        as the merge passes max_id, so this runs once the first candidates are drawn)."""
        resolver.resolve(above)
        for tweet_id in above:
            seen = resolver.visible(tweet_id)
            if seen is not None and seen[4] is not None:
                shown.add(seen[4])

    rows: list[tuple[bytes, bytes, bytes, bytes, bytes, bytes | None]] = []

    def keep(tweet_id: bytes, into: list[tuple[bytes, bytes, bytes, bytes, bytes, bytes | None]]) -> None:
        seen = resolver.visible(tweet_id)
        if seen is None or (seen[4] is not None and seen[4] in shown):
            return
        if seen[4] is not None:
            shown.add(seen[4])
        into.append((tweet_id, *seen))

    if ascending:
        ids = list(candidates)
        seed()
        resolver.resolve(ids)
        kept: list[tuple[bytes, bytes, bytes, bytes, bytes, bytes | None]] = []
        for tweet_id in ids:
            keep(tweet_id, kept)
        rows = kept[::-1][:limit]
    else:
        done = seeded = False
        while not done and len(rows) < limit:
            batch: list[bytes] = []
            while len(batch) < limit - len(rows) + 2:
                candidate = next(candidates, None)
                if candidate is None:
                    done = True
                    break
                batch.append(candidate)
            if not batch:
                break
            if not seeded:
                seed()
                seeded = True
            resolver.resolve(batch)
            for tweet_id in batch:
                if len(rows) >= limit:
                    break
                keep(tweet_id, rows)
    return _reply(client, keys, boundary, rows)


def _merged(
    client: Any,
    lists: list[_List],
    *,
    max_id: int | None,
    lower: int | None,
    boundary: bytes,
    window: int,
    above: list[bytes],
) -> Iterator[bytes]:
    """Ids newest first from every list, once each, inside (lower, max_id) and above the
    boundary; the newest `window` entries at or above max_id are collected in `above`."""
    positions = [0] * len(lists)
    last: bytes | None = None
    while True:
        best: bytes | None = None
        best_i = -1
        for i, entry_list in enumerate(lists):
            head = entry_list.entry(positions[i], client)
            if head is not None and head != END and (best is None or _newer(head, best)):
                best, best_i = head, i
        if best is None:
            return
        positions[best_i] += 1
        if max_id is not None and int(best) >= max_id:
            if best != last and window > 0:
                above.append(best)
                del above[:-window]
            last = best
            continue
        if lower is not None and int(best) <= lower:
            return
        if boundary and not _newer(best, boundary):
            return
        if best != last:
            last = best
            yield best


def _reply(
    client: Any, keys: PageKeys, boundary: bytes, rows: list[tuple[bytes, bytes, bytes, bytes, bytes, bytes | None]]
) -> list[Any]:
    loaded = b""
    bits: dict[bytes, bytes] = {}
    if keys.flag_sets:
        flagged = [b"0", *(row[5] for row in rows if row[5] is not None)]
        pipe = client.pipeline(transaction=False)
        for key in keys.flag_sets:
            pipe.smismember(key, flagged)
        per_set = pipe.execute()
        loaded = b"".join(b"1" if found[0] else b"0" for found in per_set)
        for index, member in enumerate(flagged[1:], 1):
            bits[member] = b"".join(b"1" if found[index] else b"0" for found in per_set)
    out: list[Any] = [b"ok", boundary, b"", loaded]
    for tweet_id, value, card, orig_value, orig_card, original in rows:
        out += [tweet_id, value, card, orig_value, orig_card, b"" if original is None else bits.get(original, b"")]
    return out
