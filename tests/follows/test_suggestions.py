"""Who to follow on a small graph with a known answer: friends of friends ranked by how
many of your follows follow them, never anyone excluded, popular accounts when the graph
gives nothing; a follow or a dismissal updates the list."""

from typing import Any
from unittest.mock import patch

from celery import current_app

from apps.follows import services as follow_services
from apps.follows import suggestions
from apps.users import services as user_services
from tests.conftest import Api, Events, ReadApiClient
from tests.factories import UserFactory


def _follow(follower: Any, *followees: Any) -> None:
    for followee in followees:
        follow_services.follow_create(follower_id=follower.pk, followee_id=followee.pk)


def _suggested(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.read.get("/api/v1/users/suggestions", params)
    assert response.status_code == 200, response.content
    return list(response.json())


def _computed_by_the_worker(api: Api) -> None:
    """The first read asks the worker for the list (once) and answers with popular
    accounts; here the worker's task runs as the worker would run it."""
    asked: list[tuple[str, list[int]]] = []

    def send_task(name: str, args: list[int], **options: Any) -> None:
        asked.append((name, args))

    with patch.object(suggestions.current_app, "send_task", send_task):
        first = _suggested(api)
        _suggested(api)  # asked already: not again
    assert {s["reason"] for s in first} <= {"popular"}
    assert asked == [(suggestions.COMPUTE_TASK, [api.user.pk])]
    name, args = asked[0]
    assert current_app.tasks[name](*args) >= 0


def test_friends_of_friends_ranked_and_everything_excluded_left_out(api_for: Any, outbox: Events) -> None:
    me = api_for(UserFactory(username="me"))
    a, b, c = UserFactory(username="a"), UserFactory(username="b"), UserFactory(username="c")
    x, y, z = UserFactory(username="x"), UserFactory(username="y"), UserFactory(username="z")
    blocked, muted, gone, dismissed = (UserFactory(username=n) for n in ("blocked", "muted", "gone", "dismissed"))
    _follow(me.user, a, b, c)
    _follow(a, x, y, z, blocked, muted, gone, dismissed, me.user)
    _follow(b, x, y, blocked, muted, gone, dismissed)
    _follow(c, x, blocked, muted, gone, dismissed, a)  # a: already followed
    follow_services.block_create(blocker_id=blocked.pk, blocked_id=me.user.pk)  # blocked me: out too
    follow_services.mute_create(muter_id=me.user.pk, muted_id=muted.pk)
    user_services.user_suspend(user_id=gone.pk)
    assert me.write.delete(f"/api/v1/users/suggestions/{dismissed.pk}").status_code == 204

    _computed_by_the_worker(me)
    found = _suggested(me)
    assert [(s["username"], s["reason"]) for s in found] == [
        ("x", "followed_by"),
        ("y", "followed_by"),
        ("z", "followed_by"),
    ]
    assert sorted(card["username"] for card in found[0]["followed_by"]) == ["a", "b", "c"]
    assert set(found[0]["followed_by"][0]) == {"id", "username", "display_name", "avatar_url"}
    assert [s["username"] for s in _suggested(me, limit=1)] == ["x"]

    assert me.write.delete(f"/api/v1/users/suggestions/{y.pk}").status_code == 204
    assert [s["username"] for s in _suggested(me)] == ["x", "z"]  # a dismissal counts at once
    me.follow(x)
    assert [s["username"] for s in _suggested(me)] == ["z"]  # and a follow
    outbox.deliver()  # the worker computes the list again: the same answer
    assert [s["username"] for s in _suggested(me)] == ["z"]


def test_popular_accounts_when_the_graph_gives_nothing(api_for: Any) -> None:
    newcomer = api_for(UserFactory(username="newcomer"))
    star, known = UserFactory(username="star"), UserFactory(username="known")
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        _follow(fan, star)
    _follow(fans[0], known)
    _computed_by_the_worker(newcomer)
    found = _suggested(newcomer)
    assert [(s["username"], s["reason"], s["followed_by"]) for s in found][:2] == [
        ("star", "popular", []),
        ("known", "popular", []),
    ]
    assert newcomer.user.pk not in [int(s["id"]) for s in found]


def test_bad_requests_are_4xx(api_for: Any) -> None:
    me = api_for(UserFactory())
    for limit in ("0", "51", "x", "-1"):
        assert me.read.get("/api/v1/users/suggestions", {"limit": limit}).status_code == 400
    assert me.write.delete("/api/v1/users/suggestions/999999999").status_code == 404
    assert ReadApiClient().get("/api/v1/users/suggestions").status_code == 401


def test_the_computation_is_one_query_for_the_graph(api_for: Any, django_assert_max_num_queries: Any) -> None:
    me = UserFactory()
    friends = [UserFactory() for _ in range(5)]
    _follow(me, *friends)
    with django_assert_max_num_queries(7):  # the graph, exclusions (3), candidates, follows, popular
        suggestions.compute(user_id=me.pk)
