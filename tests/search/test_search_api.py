"""GET /api/v1/search through the read-API, on the Postgres backend; and what happens
when the Elasticsearch cluster is down or hangs."""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from elasticsearch.dsl.connections import connections

from apps.search import selectors
from apps.search.backends.base import TweetSearch
from apps.search.backends.elastic import documents, queries
from apps.tweets.search import TweetFilter
from tests.factories import UserFactory


def search(api: Any, status: int = 200, **params: Any) -> Any:
    response = api.read.get("/api/v1/search", params)
    assert response.status_code == status, response.content
    return response


def test_tweets_render_like_everywhere_else_with_the_viewers_flags(api_for: Any) -> None:
    author = api_for(UserFactory(username="writer"))
    tweet = author.tweet("searching for #Answers with @writer")
    assert author.write.post(f"/api/v1/tweets/{tweet['id']}/like").status_code == 200
    response = search(author, q="searching")
    assert response["X-Search-Backend"] == "postgres"
    [found] = response.json()
    assert found == {**tweet, "like_count": 1, "liked": True}


@pytest.mark.parametrize(
    ("query", "expected"),
    [("from:writer", ["mine"]), ("from:nobody", []), ("@writer", ["mention"]), ("#tag", ["mine"]), ("words", [])],
)
def test_query_forms(api_for: Any, query: str, expected: list[str]) -> None:
    writer, other = api_for(UserFactory(username="writer")), api_for(UserFactory())
    made = {"mine": writer.tweet("mine #tag"), "mention": other.tweet("hello @writer")}
    found = [tweet["id"] for tweet in search(other, q=query).json()]
    assert found == [made[name]["id"] for name in expected]


def test_relevance_pages_by_offset_with_links(api_for: Any) -> None:
    author = api_for(UserFactory())
    posted = [author.tweet(f"paged words {n}")["id"] for n in range(5)]
    first = search(author, q="paged", limit=2)
    assert [t["id"] for t in first.json()] == posted[::-1][:2]
    assert 'offset=2>; rel="next"' in first["Link"]
    second = search(author, q="paged", limit=2, offset=2)
    assert [t["id"] for t in second.json()] == posted[::-1][2:4]
    assert 'offset=0>; rel="prev"' in second["Link"]
    last = search(author, q="paged", limit=2, offset=4)
    assert [t["id"] for t in last.json()] == posted[:1]
    assert 'rel="next"' not in last["Link"]


def test_recent_pages_by_max_id(api_for: Any) -> None:
    author = api_for(UserFactory())
    posted = [author.tweet(f"recent words {n}")["id"] for n in range(3)]
    first = search(author, q="recent", sort="recent", limit=2)
    assert [t["id"] for t in first.json()] == posted[::-1][:2]
    assert f'max_id={posted[1]}>; rel="next"' in first["Link"]
    rest = search(author, q="recent", sort="recent", limit=2, max_id=posted[1])
    assert [t["id"] for t in rest.json()] == posted[:1]


def test_users_and_hashtags(api_for: Any) -> None:
    # Display names are spelled out: a generated one (say "Ricardo") could match "car" too.
    viewer = api_for(UserFactory(username="viewer", display_name="Viewer"))
    UserFactory(username="carol", display_name="Carol King")
    UserFactory(username="suspended_carol", display_name="Carol", suspended_at="2026-01-01T00:00Z")
    users = search(viewer, q="car", type="users").json()
    assert [user["username"] for user in users] == ["carol"]
    assert set(users[0]) >= {"id", "username", "display_name", "avatar_url", "followers_count"}
    viewer.tweet("#Carnival tonight")
    assert search(viewer, q="#CAR", type="hashtags").json() == [{"tag": "carnival", "tweet_count": 1}]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "x", "type": "places"}, "type"),
        ({"q": "x", "sort": "best"}, "sort"),
        ({"q": "x", "limit": "0"}, "limit"),
        ({"q": "x", "limit": "many"}, "limit"),
        ({"q": "x", "offset": "-1"}, "offset"),
        ({"q": "x", "offset": "100000"}, "offset"),
        ({"q": "x", "max_id": "12"}, "max_id"),
        ({"q": "x", "sort": "recent", "max_id": "abc"}, "max_id"),
        ({"q": "x", "sort": "recent", "offset": "20"}, "offset"),
        ({"q": "-", "type": "hashtags"}, "q"),
        ({"q": "@", "type": "users"}, "q"),
    ],
)
def test_bad_requests_are_clear_400s(api_for: Any, params: dict[str, str], field: str) -> None:
    viewer = api_for(UserFactory())
    body = search(viewer, status=400, **params).json()
    assert field in body["error"]["fields"], body


def test_a_query_of_only_operators_without_matches_is_empty_not_an_error(api_for: Any) -> None:
    viewer = api_for(UserFactory())
    assert search(viewer, q="#nothing_here").json() == []
    assert search(viewer, q='"unclosed -quote or').json() == []


# --- The cluster fails ------------------------------------------------------------------


@pytest.fixture
def cluster_at() -> Iterator[Any]:
    """cluster_at(url): search with Elasticsearch at `url` (a real socket, dead or hung)."""

    def point(url: str) -> None:
        connections.configure(default={"hosts": [url], "request_timeout": 0.5, "max_retries": 0})
        stack.enable()

    stack = override_settings(ELASTICSEARCH_URL="set")
    yield point
    stack.disable()
    connections.configure()
    selectors.search_breaker.record_success()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_dead_cluster_falls_back_to_postgres_and_opens_the_breaker(api_for: Any, cluster_at: Any) -> None:
    author = api_for(UserFactory())
    tweet = author.tweet("still searchable")
    cluster_at(f"http://127.0.0.1:{_closed_port()}")
    response = search(author, q="searchable")
    assert response["X-Search-Backend"] == "postgres"
    assert [t["id"] for t in response.json()] == [tweet["id"]]
    assert selectors.search_breaker.is_open


def test_a_hung_cluster_times_out_into_the_fallback(api_for: Any, cluster_at: Any) -> None:
    author = api_for(UserFactory())
    author.tweet("patience")
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        cluster_at(f"http://127.0.0.1:{silent.getsockname()[1]}")
        response = search(author, q="patience")
    assert response["X-Search-Backend"] == "postgres"
    assert len(response.json()) == 1
    assert selectors.search_breaker.is_open


def test_with_fallback_unavailable_a_dead_cluster_is_a_clear_503(api_for: Any, cluster_at: Any) -> None:
    viewer = api_for(UserFactory())
    cluster_at(f"http://127.0.0.1:{_closed_port()}")
    with override_settings(SEARCH_FALLBACK="unavailable"):
        body = search(viewer, status=503, q="anything").json()
    assert body["error"]["code"] == "search_unavailable"


# --- Elasticsearch documents and queries, without a cluster -------------------------------


def test_tweet_mapping_and_analyzers() -> None:
    mapping = documents.TweetDocument._doc_type.mapping.to_dict()["properties"]
    assert mapping["text"] == {"type": "text", "analyzer": "tweet_text"}
    assert mapping["hashtags"] == {"type": "keyword"}
    assert {mapping[name]["type"] for name in ("id", "author_id", "mention_ids")} == {"long"}
    assert mapping["author_visible"] == {"type": "boolean"}
    analysis = documents.TweetDocument._index.to_dict()["settings"]["analysis"]
    assert analysis["analyzer"]["tweet_text"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "asciifolding"],
    }


def test_user_mapping_indexes_name_prefixes_and_searches_whole_words() -> None:
    index = documents.UserDocument._index.to_dict()
    username = index["mappings"]["properties"]["username"]
    assert (username["analyzer"], username["search_analyzer"]) == ("name_prefixes", "name_words")
    assert username["fields"]["exact"] == {"type": "keyword", "normalizer": "lowercase"}
    edge = index["settings"]["analysis"]["filter"]["name_edge_ngrams"]
    assert (edge["type"], edge["min_gram"]) == ("edge_ngram", 1)


def test_relevance_query_filters_and_blends_recency() -> None:
    wanted = TweetFilter(text="big or news", hashtags=("launch",), mention_ids=(7,), author_id=5)
    body = queries.tweets(TweetSearch(filter=wanted, sort="relevance", limit=10, offset=20)).to_dict()
    scored = body["query"]["function_score"]
    assert scored["query"]["bool"]["filter"] == [
        {"term": {"author_visible": True}},
        {"term": {"author_id": 5}},
        {"term": {"hashtags": "launch"}},
        {"term": {"mention_ids": 7}},
    ]
    [text] = scored["query"]["bool"]["must"]
    assert text["simple_query_string"]["query"] == "big | news"
    assert text["simple_query_string"]["default_operator"] == "and"
    assert [next(iter(f)) for f in scored["functions"]] == ["gauss", "field_value_factor"]
    assert (body["from"], body["size"], body["_source"]) == (20, 10, False)
    assert body["sort"] == [{"_score": {"order": "desc"}}, {"id": {"order": "desc"}}]


def test_recent_query_pages_below_max_id() -> None:
    body = queries.tweets(TweetSearch(filter=TweetFilter(text="x"), sort="recent", limit=5, max_id=99)).to_dict()
    assert {"range": {"id": {"lt": 99}}} in body["query"]["bool"]["filter"]
    assert body["sort"] == [{"id": {"order": "desc"}}]


def test_hashtag_query_aggregates_tags_with_the_prefix() -> None:
    body = queries.hashtags(prefix="py", offset=10, limit=5).to_dict()
    assert body["size"] == 0
    terms = body["aggs"]["tags"]["terms"]
    assert (terms["field"], terms["include"], terms["size"]) == ("hashtags", "py.*", 15)
