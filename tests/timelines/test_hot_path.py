"""The home timeline's hot path gives the same bytes as the full DRF stack.

Each request is made twice through the read-API's middleware: once as configured (the
hot path answers) and once with the hot path taken out (the DRF view answers). Status,
body and every header must be equal; the request id is fixed so that it is too.
"""

from typing import Any
from unittest import mock

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.timelines import selectors
from apps.timelines.api.hot_path import HOT_PATH_REQUESTS
from apps.tweets import presentation
from tests.conftest import READ_ROLE, Api, Events
from tests.factories import UserFactory
from twitter.api.pagination import PageParams

HOT_PATH = "apps.timelines.api.hot_path.HomeTimelineHotPathMiddleware"
HOME = "/api/v1/timelines/home"


def taken(path: str) -> float:
    return float(HOT_PATH_REQUESTS.labels(path=path)._value.get())


def both_ways(
    access: str | None, params: dict[str, Any] | None = None, *, hot_path: str = HOT_PATH, **headers: str
) -> tuple[Any, Any]:
    """(hot path response, full stack response) to the same request, `hot_path` being the
    middleware taken out for the second. Two clients: a client's handler keeps the
    middleware it loaded first."""
    extra = {"HTTP_X_REQUEST_ID": "hot-path-test", **headers}
    if access is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {access}"
    with override_settings(**READ_ROLE):
        hot = APIClient().get(HOME, params or {}, **extra)
    without = [m for m in READ_ROLE["MIDDLEWARE"] if m != hot_path]
    assert len(without) == len(READ_ROLE["MIDDLEWARE"]) - 1
    with override_settings(**{**READ_ROLE, "MIDDLEWARE": without}):
        full = APIClient().get(HOME, params or {}, **extra)
    return hot, full


def assert_same(hot: Any, full: Any) -> None:
    assert hot.status_code == full.status_code
    assert hot.content == full.content
    hot_headers, full_headers = dict(hot.headers), dict(full.headers)
    # Both requests were counted by the rate limit, the full stack's second.
    hot_left, full_left = int(hot_headers.pop("X-RateLimit-Remaining")), int(full_headers.pop("X-RateLimit-Remaining"))
    assert full_left == hot_left - 1
    assert hot_headers == full_headers


@pytest.fixture
def world(api_for: Any, outbox: Events) -> dict[str, Any]:
    """A reader following two authors: originals, a reply, a retweet, a like, a deletion."""
    reader = api_for(UserFactory(username="reader"))
    alice, bob = api_for(UserFactory(username="alice")), api_for(UserFactory(username="bob"))
    reader.follow(alice.user)
    reader.follow(bob.user)
    outbox.deliver()
    tweets = [alice.tweet(f"alice {i} #topic @bob") for i in range(6)]
    bob.tweet("bob replies", reply_to_id=tweets[0]["id"])
    assert bob.write.post(f"/api/v1/tweets/{tweets[1]['id']}/retweet").status_code == 201
    assert reader.write.post(f"/api/v1/tweets/{tweets[2]['id']}/like").status_code == 200
    gone = alice.tweet("deleted soon")
    assert alice.write.delete(f"/api/v1/tweets/{gone['id']}").status_code == 204
    outbox.deliver()
    reader.home()  # the reader's list and caches are warm, as on a running service
    return {"reader": reader, "tweets": tweets}


@pytest.mark.parametrize(
    "params",
    [{}, {"limit": "3"}, {"limit": "2", "extra": "kept"}, "max_id", "since_id", "min_id"],
    ids=["first", "limit", "other-parameter", "max_id", "since_id", "min_id"],
)
def test_the_hot_path_answers_with_the_full_stacks_bytes(world: dict[str, Any], params: Any) -> None:
    reader: Api = world["reader"]
    middle = world["tweets"][3]["id"]
    if isinstance(params, str):
        params = {params: middle, "limit": "2"}
    before = taken("hot")
    hot, full = both_ways(reader.access, params)
    assert taken("hot") == before + 1
    assert hot.status_code == 200
    assert hot.json(), "the page is not empty"
    assert_same(hot, full)


def test_the_page_has_retweets_replies_and_flags(world: dict[str, Any]) -> None:
    reader: Api = world["reader"]
    home = reader.home()
    texts = [tweet["text"] for tweet in home]
    assert "deleted soon" not in texts
    assert "bob replies" in texts  # bob replies to alice, whom the reader follows too
    retweet = next(tweet for tweet in home if tweet["retweet_of"] is not None)
    assert retweet["retweet_of"]["id"] == world["tweets"][1]["id"]
    liked = [tweet["id"] for tweet in home if tweet["liked"]]
    assert liked == [world["tweets"][2]["id"]]


@pytest.mark.parametrize(
    ("access", "params", "status"),
    [
        (None, {}, 401),
        ("not-a-token", {}, 401),
        ("valid", {"limit": "0"}, 400),
        ("valid", {"max_id": "abc"}, 400),
        ("valid", {"since_id": "1", "min_id": "2"}, 400),
    ],
    ids=["no-token", "bad-token", "limit", "max_id", "since-and-min"],
)
def test_what_the_hot_path_declines_the_full_stack_answers(
    world: dict[str, Any], access: str | None, params: dict[str, str], status: int
) -> None:
    token = world["reader"].access
    before = taken("hot")
    hot, full = both_ways(token if access == "valid" else access, params)
    assert taken("hot") == before
    assert hot.status_code == status
    assert_same(hot, full)


def test_other_methods_and_paths_go_down_the_stack(world: dict[str, Any]) -> None:
    token = world["reader"].access
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    before = (taken("hot"), taken("full"))
    with override_settings(**READ_ROLE):
        assert client.head(HOME).status_code == 200
        assert client.options(HOME).status_code == 200
        assert client.get(f"{HOME}/").status_code == 404
    assert (taken("hot"), taken("full")) == before


def test_a_page_whole_in_the_cache_is_assembled_as_resolving_would(world: dict[str, Any]) -> None:
    reader: Api = world["reader"]
    with mock.patch.object(presentation, "resolve", side_effect=AssertionError("resolved")):
        shown = selectors.home_tweets(viewer_id=reader.user.pk, params=PageParams())
    assert len(shown) >= 7
    resolved = presentation.resolve([(tweet.id, b"") for tweet in shown], viewer_id=reader.user.pk)
    assert shown == resolved  # the same read model, piece for piece
    assert presentation.native(shown).json() == presentation.native(resolved).json()
    alice = int(world["tweets"][0]["author"]["id"])
    anonymous = selectors.user_page(user_id=alice, viewer_id=None, params=PageParams())
    assert anonymous.items
    assert all(b'"liked"' not in item for item in anonymous.items)
