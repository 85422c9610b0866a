import pytest
from django.test import Client

from apps.users.models import User
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def staff_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_and_searches_users(staff_client: Client) -> None:
    UserFactory(username="findme")
    response = staff_client.get("/admin/users/user/?q=findme")
    assert response.status_code == 200
    assert b"findme" in response.content


def test_admin_suspend_action_suspends_and_revokes_sessions(staff_client: Client) -> None:
    from rest_framework.test import APIClient

    target = UserFactory()
    tokens = login(APIClient(), target)
    response = staff_client.post(
        "/admin/users/user/", {"action": "suspend", "_selected_action": [target.pk]}, follow=True
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.is_suspended
    assert not target.is_active
    refused = APIClient().post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refused.status_code == 401

    staff_client.post("/admin/users/user/", {"action": "unsuspend", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert not target.is_suspended
    assert target.is_active


def test_admin_is_closed_to_non_staff(db: None) -> None:
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/admin/users/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_can_add_a_user(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/users/user/add/",
        {
            "username": "added_1",
            "email": "added@example.com",
            "password1": "Sufficiently-long-9",
            "password2": "Sufficiently-long-9",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.filter(username="added_1").exists()
