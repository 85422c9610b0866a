from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.follows.models import Follow
from apps.users import services as user_services
from apps.users.models import User
from tests.conftest import Api, Events
from tests.factories import UserFactory


@pytest.fixture
def ann(api_for: Any) -> Api:
    return api_for(UserFactory(username="ann"))


def _counts(user: User) -> tuple[int, int]:
    user.refresh_from_db()
    return user.followers_count, user.following_count


def test_follow_and_unfollow_are_idempotent_with_exact_counts(ann: Api, outbox: Events) -> None:
    ben = UserFactory()
    for _ in range(2):
        response = ann.write.post(f"/api/v1/users/{ben.pk}/follow")
        assert response.status_code == 200
        assert response.json() == {"following": True}
    assert _counts(ben) == (1, 0)
    assert _counts(ann.user) == (0, 1)
    assert outbox.published("follow.created") == [
        {"follow_id": Follow.objects.get().pk, "follower_id": ann.user.pk, "followee_id": ben.pk}
    ]
    for _ in range(2):
        response = ann.write.delete(f"/api/v1/users/{ben.pk}/follow")
        assert response.status_code == 200
        assert response.json() == {"following": False}
    assert _counts(ben) == (0, 0)
    assert _counts(ann.user) == (0, 0)
    assert outbox.published("follow.deleted") == [{"follower_id": ann.user.pk, "followee_id": ben.pk}]


def test_following_yourself_is_refused(ann: Api) -> None:
    response = ann.write.post(f"/api/v1/users/{ann.user.pk}/follow")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cannot_follow_self"
    assert not Follow.objects.exists()


def test_unknown_and_suspended_targets(ann: Api, outbox: Events) -> None:
    assert ann.write.post("/api/v1/users/424242/follow").status_code == 404
    assert ann.write.post("/api/v1/users/abc/follow").status_code == 404
    suspended = UserFactory()
    user_services.user_suspend(user_id=suspended.pk)
    response = ann.write.post(f"/api/v1/users/{suspended.pk}/follow")
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_follow_needs_a_token(write_api: APIClient, outbox: Events) -> None:
    assert write_api.post(f"/api/v1/users/{UserFactory().pk}/follow").status_code == 401


def test_profile_says_whether_the_viewer_follows(ann: Api, read_api: APIClient, outbox: Events) -> None:
    ben = UserFactory()
    assert ann.read.get(f"/api/v1/users/{ben.pk}").json()["following"] is False
    ann.follow(ben)
    profile = ann.read.get(f"/api/v1/users/{ben.pk}").json()
    assert profile["following"] is True
    assert profile["followers_count"] == 1
    assert "following" not in read_api.get(f"/api/v1/users/{ben.pk}").json()


def test_followers_and_following_lists_paginate_by_follow_time(
    ann: Api, api_for: Any, read_api: APIClient, outbox: Events
) -> None:
    fans = [api_for(UserFactory()) for _ in range(5)]
    for fan in fans:
        fan.follow(ann.user)
    first = read_api.get(f"/api/v1/users/{ann.user.pk}/followers", {"limit": 3})
    assert first.status_code == 200
    assert [u["id"] for u in first.json()] == [str(f.user.pk) for f in reversed(fans)][:3]
    next_url = first["Link"].split(";")[0].strip("<>")
    second = read_api.get(next_url)
    assert [u["id"] for u in second.json()] == [str(fans[1].user.pk), str(fans[0].user.pk)]
    following = read_api.get(f"/api/v1/users/{fans[0].user.pk}/following").json()
    assert [u["username"] for u in following] == ["ann"]


def test_lists_of_unknown_users_are_404_and_bad_cursors_400(read_api: APIClient, outbox: Events) -> None:
    assert read_api.get("/api/v1/users/424242/followers").status_code == 404
    user = UserFactory()
    response = read_api.get(f"/api/v1/users/{user.pk}/following", {"max_id": "nope"})
    assert response.status_code == 400
    assert "max_id" in response.json()["error"]["fields"]
