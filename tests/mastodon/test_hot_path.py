"""The Mastodon home timeline's hot path gives the same answer as the DRF view: each
request twice through the read-API's middleware, with and without the hot path."""

from typing import Any

import pytest

from apps.mastodon.hot_path import HOT_PATH_REQUESTS
from tests.conftest import Events
from tests.factories import UserFactory
from tests.mastodon.conftest import ORIGIN
from tests.timelines.test_hot_path import both_ways as native_both_ways

pytestmark = pytest.mark.django_db(transaction=True)

HOT_PATH = "apps.mastodon.hot_path.MastodonHomeHotPathMiddleware"


def taken(path: str) -> float:
    return float(HOT_PATH_REQUESTS.labels(path=path)._value.get())


def both_ways(token: str | None, params: dict[str, Any] | None = None) -> tuple[Any, Any]:
    return native_both_ways(token, params, hot_path=HOT_PATH, **ORIGIN)


def test_the_hot_path_answers_as_the_view_does(session_for: Any, outbox: Events) -> None:
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    a, b = session_for(alice), session_for(bob)
    b.write.post(f"/api/v1/accounts/{alice.pk}/follow")
    first = a.post("hello #there @bob")
    a.post("again", in_reply_to_id=first["id"])
    b.write.post(f"/api/v1/statuses/{first['id']}/favourite")
    outbox.deliver()
    hot_before = taken("hot")
    for params in ({}, {"limit": "1"}, {"max_id": first["id"]}):
        hot, full = both_ways(b.token, params)
        assert hot.status_code == full.status_code == 200, params
        assert hot.status_code == full.status_code, params
        assert hot.json() == full.json(), params
        assert hot.get("Link") == full.get("Link"), params
        assert hot.get("Allow") == full.get("Allow"), params
    assert taken("hot") == hot_before + 3  # the hot path answered each
    hot, full = both_ways(b.token, {"limit": "zero"})  # declined: the view answers both
    assert hot.status_code == full.status_code == 422
    assert hot.json() == full.json()
    assert [s["id"] for s in both_ways(b.token)[0].json()][-1] == first["id"]
    for token in (None, "nonsense", "a.b.c"):
        hot, full = both_ways(token)
        assert hot.status_code == full.status_code == 401
