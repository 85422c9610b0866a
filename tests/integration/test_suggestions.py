"""Who to follow through the gateway and the real worker: the first read answers with
popular accounts and asks the worker, which computes the friends-of-friends list; the
next reads are that list."""

from typing import Any

import pytest
import requests

from apps.follows import services as follow_services
from tests.factories import UserFactory
from tests.integration.conftest import eventually, wait_for_replica
from tests.integration.test_engagement import auth, worker  # noqa: F401  # the worker fixture

pytestmark = [pytest.mark.integration, pytest.mark.replica]


@pytest.mark.usefixtures("worker")
def test_the_worker_computes_the_list_a_read_asked_for(stack: dict[str, Any]) -> None:
    base = stack["gateway"]
    me, friend, theirs = UserFactory(username="me"), UserFactory(username="friend"), UserFactory(username="theirs")
    star = UserFactory(username="star")
    follow_services.follow_create(follower_id=me.pk, followee_id=friend.pk)
    follow_services.follow_create(follower_id=friend.pk, followee_id=theirs.pk)
    for _ in range(3):
        follow_services.follow_create(follower_id=UserFactory().pk, followee_id=star.pk)
    wait_for_replica()  # the read-API reads the counts from it

    def suggested() -> list[tuple[str, str]]:
        response = requests.get(f"{base}/api/v1/users/suggestions", headers=auth(me), timeout=10)
        assert response.status_code == 200, response.text
        return [(s["username"], s["reason"]) for s in response.json()]

    first = suggested()
    assert first[0] == ("star", "popular")  # at once, while the worker computes
    assert {reason for _, reason in first} == {"popular"}
    computed = eventually(lambda: (found := suggested()) and found[0][1] == "followed_by" and found, what="the list")
    assert computed[0] == ("theirs", "followed_by")
    assert ("star", "popular") in computed  # the graph gave too little: popular accounts follow
