"""Elasticsearch query bodies for each kind of search, built without a connection (the
unit tests compare them with what they must be)."""

import re

from django.conf import settings
from elasticsearch.dsl import Q, Search
from elasticsearch.dsl.function import SF
from elasticsearch.dsl.query import Query

from apps.search.backends.base import TweetSearch
from apps.search.backends.elastic.documents import alias

# The operators a search box may use: "phrase", -excluded, a | b. Anything else is text.
_TEXT_FLAGS = "OR|NOT|PHRASE|WHITESPACE"
_LUCENE_REGEX_SPECIAL = re.compile(r'([.?+*|{}\[\]()"\\#@&<>~])')


def _timeout() -> str:
    return f"{int(settings.SEARCH_TIMEOUT * 1000)}ms"


def text_query(text: str) -> Query:
    """Web-search style text, as the Postgres backend reads it: all words must match;
    `or` between two words means either."""
    return Q(
        "simple_query_string",
        query=re.sub(r"(?i)(?<=\s)or(?=\s)", "|", text),
        fields=["text"],
        default_operator="and",
        flags=_TEXT_FLAGS,
    )


def tweets(search: TweetSearch) -> Search:
    wanted = search.filter
    filters = [Q("term", author_visible=True)]
    if wanted.author_id is not None:
        filters.append(Q("term", author_id=wanted.author_id))
    filters += [Q("term", hashtags=tag) for tag in wanted.hashtags]
    filters += [Q("term", mention_ids=user_id) for user_id in wanted.mention_ids]
    must = [text_query(wanted.text)] if wanted.text else []
    query = Search(index=alias("tweets")).source(False).extra(timeout=_timeout(), track_total_hits=False)
    if search.sort == "recent" or not wanted.text:
        if search.max_id is not None:
            filters.append(Q("range", id={"lt": search.max_id}))
        query = query.query(Q("bool", must=must, filter=filters)).sort({"id": {"order": "desc"}})
        return query[search.offset : search.offset + search.limit]
    # Relevance (BM25) times a recency decay (a day old: half), lifted a little by likes.
    scored = Q(
        "function_score",
        query=Q("bool", must=must, filter=filters),
        functions=[
            SF("gauss", created_at={"origin": "now", "scale": "1d", "decay": 0.5}),
            SF("field_value_factor", field="like_count", modifier="log2p", missing=0),
        ],
        score_mode="multiply",
        boost_mode="multiply",
    )
    query = query.query(scored).sort({"_score": {"order": "desc"}}, {"id": {"order": "desc"}})
    return query[search.offset : search.offset + search.limit]


def users(*, text: str, usernames_only: bool, offset: int, limit: int) -> Search:
    """Exact username first, then username prefixes, display-name word prefixes and
    near-miss usernames; equal scores by follower count."""
    needle = text.lower()
    should = [
        Q("term", **{"username.exact": {"value": needle, "boost": 10}}),
        Q("match", username={"query": needle, "operator": "and", "boost": 3}),
        Q("fuzzy", **{"username.exact": {"value": needle, "fuzziness": "AUTO"}}),
    ]
    if not usernames_only:
        should.append(Q("match", display_name={"query": needle, "operator": "and", "boost": 2}))
    query = (
        Search(index=alias("users"))
        .source(False)
        .extra(timeout=_timeout(), track_total_hits=False)
        .query(Q("bool", should=should, minimum_should_match=1, filter=[Q("term", searchable=True)]))
        .sort({"_score": {"order": "desc"}}, {"followers_count": {"order": "desc"}}, {"id": {"order": "asc"}})
    )
    return query[offset : offset + limit]


def hashtags(*, prefix: str, offset: int, limit: int) -> Search:
    """Tags starting with `prefix`, the most used by visible tweets first: a terms
    aggregation, so the tag counts need no index of their own."""
    query = (
        Search(index=alias("tweets"))
        .extra(size=0, timeout=_timeout(), track_total_hits=False)
        .query(Q("bool", filter=[Q("prefix", hashtags=prefix), Q("term", author_visible=True)]))
    )
    query.aggs.bucket(
        "tags",
        "terms",
        field="hashtags",
        include=_LUCENE_REGEX_SPECIAL.sub(r"\\\1", prefix) + ".*",
        size=offset + limit,
        order=[{"_count": "desc"}, {"_key": "asc"}],
    )
    return query
