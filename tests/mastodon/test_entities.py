"""Every method of the Mastodon-compatible API answers with Mastodon's documented entity:
its keys and their types (tests/mastodon/entities.py reads them from Mastodon.py's
declarations, as of the version the instance announces). Lists checked are never empty."""

from typing import Any

import pytest
from oauth2_provider.models import AccessToken

from apps.mastodon import oauth
from tests.conftest import Events
from tests.factories import PASSWORD, UserFactory
from tests.mastodon.conftest import MastodonRead, MastodonWrite, Session, client_credentials, png, register_app
from tests.mastodon.entities import assert_entity

# The JSON and the errors do not depend on where application data lives: the single-Redis
# pass only.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.single_redis]


def check(response: Any, entity: str, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    body = response.json()
    assert_entity(body, entity)
    return body


class World:
    """alice and bob follow each other; alice posts a status with an image, a hashtag and a
    mention; bob replies, favourites and reblogs it, and writes to alice directly."""

    def __init__(self, session_for: Any, outbox: Events) -> None:
        self.alice, self.bob = UserFactory(username="alice"), UserFactory(username="bob")
        self.a = session_for(self.alice, ("read", "write", "follow"))
        self.b = session_for(self.bob, ("read", "write", "follow"))
        self.follow_a = check(self.b.write.post(f"/api/v1/accounts/{self.alice.pk}/follow"), "Relationship")
        check(self.a.write.post(f"/api/v1/accounts/{self.bob.pk}/follow"), "Relationship")
        upload = self.a.write.post(
            "/api/v2/media", {"file": png(), "description": "A red square", "focus": "0.5,-0.25"}, format="multipart"
        )
        self.media = check(upload, "MediaAttachment")
        self.status = check(
            self.a.write.post(
                "/api/v1/statuses",
                {"status": "Look #Python @bob", "media_ids": [self.media["id"]]},
                format="json",
                HTTP_IDEMPOTENCY_KEY="entity-status-1",
            ),
            "Status",
        )
        self.reply = self.b.post("@alice nice", in_reply_to_id=self.status["id"])
        check(self.b.write.post(f"/api/v1/statuses/{self.status['id']}/favourite"), "Status")
        check(self.b.write.post(f"/api/v1/statuses/{self.status['id']}/reblog"), "Status")
        self.direct = self.b.post("@alice just between us", visibility="direct")
        outbox.deliver()


@pytest.fixture
def world(session_for: Any, outbox: Events) -> World:
    return World(session_for, outbox)


def test_apps_and_tokens() -> None:
    app = register_app(MastodonWrite())
    assert_entity(app, "CredentialApplication")
    client = MastodonWrite()
    app_token = check(client_credentials(client, app), "Token")
    reader = MastodonRead()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {app_token['access_token']}")
    check(reader.get("/api/v1/apps/verify_credentials"), "Application")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {app_token['access_token']}")
    registered = client.post(
        "/api/v1/accounts",
        {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD, "agreement": "true"},
    )
    check(registered, "Token")
    check(client.post("/api/v1/accounts", {"username": "x"}), "Error", status=422)
    check(MastodonWrite().post("/oauth/token", {"grant_type": "password"}), "Error", status=400)


def test_the_instance_and_what_clients_ask_for_at_start(world: World) -> None:
    read = world.a.read
    check(read.get("/api/v1/instance"), "Instance")
    check(read.get("/api/v2/instance"), "InstanceV2")
    check(read.get("/api/v1/preferences"), "Preferences")
    markers = read.get("/api/v1/markers", {"timeline[]": ["notifications"]}).json()
    assert_entity(markers["notifications"], "Marker")
    saved = world.a.write.post("/api/v1/markers", {"notifications[last_read_id]": "1"}, format="json").json()
    assert_entity(saved["notifications"], "Marker")
    for name in ("custom_emojis", "filters", "lists", "announcements", "followed_tags", "featured_tags"):
        response = read.get(f"/api/v1/{name}")
        assert response.status_code == 200, name
        assert response.json() == [], f"{name} is empty here"


def test_accounts(world: World) -> None:
    a, bob = world.a, world.bob
    me = check(a.read.get("/api/v1/accounts/verify_credentials"), "Account")
    assert_entity(me["source"], "CredentialAccountSource")
    check(a.write.patch("/api/v1/accounts/update_credentials", {"display_name": "Al"}, format="json"), "Account")
    check(a.read.get("/api/v1/accounts/lookup", {"acct": "bob"}), "Account")
    check(a.read.get(f"/api/v1/accounts/{bob.pk}"), "Account")
    check(a.read.get(f"/api/v1/accounts/{world.alice.pk}/statuses"), "[Status]")
    check(a.read.get(f"/api/v1/accounts/{world.alice.pk}/statuses", {"only_media": "true"}), "[Status]")
    check(a.read.get(f"/api/v1/accounts/{world.alice.pk}/statuses", {"exclude_replies": "true"}), "[Status]")
    check(a.read.get(f"/api/v1/accounts/{bob.pk}/statuses", {"exclude_reblogs": "true"}), "[Status]")
    check(a.read.get(f"/api/v1/accounts/{world.alice.pk}/followers"), "[Account]")
    check(a.read.get(f"/api/v1/accounts/{world.alice.pk}/following"), "[Account]")
    check(a.read.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk)]}), "[Relationship]")
    check(a.read.get("/api/v1/accounts/search", {"q": "bo"}), "[Account]")
    for action in ("mute", "unmute", "block", "unblock", "follow", "unfollow"):
        check(a.write.post(f"/api/v1/accounts/{bob.pk}/{action}"), "Relationship")
    check(a.read.get("/api/v1/accounts/999999999"), "Error", status=404)


def test_statuses(world: World) -> None:
    a, b, status = world.a, world.b, world.status
    shown = check(a.read.get(f"/api/v1/statuses/{status['id']}"), "Status")
    [picture] = shown["media_attachments"]
    assert picture["description"] == "A red square"
    assert picture["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert shown["tags"]
    assert shown["mentions"]
    context = check(a.read.get(f"/api/v1/statuses/{world.reply['id']}/context"), "Context")
    assert context["ancestors"]
    assert_entity(context["ancestors"], "[Status]")
    check(a.read.get(f"/api/v1/statuses/{status['id']}/favourited_by"), "[Account]")
    check(a.read.get(f"/api/v1/statuses/{status['id']}/reblogged_by"), "[Account]")
    check(a.write.post(f"/api/v1/statuses/{status['id']}/favourite"), "Status")
    check(a.write.post(f"/api/v1/statuses/{status['id']}/unfavourite"), "Status")
    reblog = check(a.write.post(f"/api/v1/statuses/{world.reply['id']}/reblog"), "Status")
    assert reblog["reblog"] is not None
    check(a.write.post(f"/api/v1/statuses/{world.reply['id']}/unreblog"), "Status")
    check(b.write.delete(f"/api/v1/statuses/{world.reply['id']}"), "Status")
    check(a.write.post("/api/v1/statuses", {"status": ""}, format="json"), "Error", status=422)


def test_timelines_and_search(world: World) -> None:
    read = world.a.read
    check(read.get("/api/v1/timelines/home"), "[Status]")
    check(read.get("/api/v1/timelines/public", {"local": "true"}), "[Status]")
    check(read.get("/api/v1/timelines/tag/python"), "[Status]")
    found = check(read.get("/api/v2/search", {"q": "python"}), "SearchV2")
    assert found["hashtags"]
    people = check(read.get("/api/v2/search", {"q": "bob", "type": "accounts"}), "SearchV2")
    assert people["accounts"]
    check(read.get("/api/v1/trends/tags"), "[Tag]")
    suggested = world.b.read.get("/api/v2/suggestions")
    assert suggested.status_code == 200
    assert suggested.json() == [] or check(suggested, "[Suggestion]")


def test_suggestions(session_for: Any, outbox: Events) -> None:
    me, friend, theirs = UserFactory(), UserFactory(), UserFactory()
    session = session_for(me)
    session_for(friend).write.post(f"/api/v1/accounts/{theirs.pk}/follow")
    session.write.post(f"/api/v1/accounts/{friend.pk}/follow")
    outbox.deliver()
    check(session.read.get("/api/v2/suggestions"), "[Suggestion]")
    check(session.read.get("/api/v1/suggestions"), "[Account]")
    assert session.write.delete(f"/api/v1/suggestions/{theirs.pk}").status_code == 200


def test_notifications(world: World) -> None:
    a = world.a
    listed = check(a.read.get("/api/v1/notifications"), "[Notification]")
    assert {n["type"] for n in listed} >= {"follow", "favourite", "reblog", "mention"}, listed
    check(a.read.get("/api/v1/notifications", {"types[]": ["mention"]}), "[Notification]")
    check(a.read.get("/api/v1/notifications", {"exclude_types[]": ["follow"]}), "[Notification]")
    first = listed[0]["id"]
    check(a.read.get(f"/api/v1/notifications/{first}"), "Notification")
    assert a.write.post(f"/api/v1/notifications/{first}/dismiss").json() == {}
    check(a.read.get(f"/api/v1/notifications/{first}"), "Error", status=404)
    assert first not in [n["id"] for n in a.read.get("/api/v1/notifications").json()]
    assert a.write.post("/api/v1/notifications/clear").json() == {}
    assert a.read.get("/api/v1/notifications").json() == []


def test_media(world: World) -> None:
    a = world.a
    upload = a.write.post("/api/v1/media", {"file": png((2, 2))}, format="multipart")
    media = check(upload, "MediaAttachment")
    assert media["description"] is None
    check(a.read.get(f"/api/v1/media/{media['id']}"), "MediaAttachment")
    described = a.write.put(
        f"/api/v1/media/{media['id']}", {"description": "Two by two", "focus": "0,1"}, format="json"
    )
    assert check(described, "MediaAttachment")["description"] == "Two by two"
    shown = a.read.get(f"/api/v1/media/{media['id']}").json()
    assert shown["description"] == "Two by two"
    assert shown["meta"]["focus"] == {"x": 0.0, "y": 1.0}
    for bad in ({"focus": "2,0"}, {"focus": "x"}, {"description": "d" * 1501}):
        check(a.write.put(f"/api/v1/media/{media['id']}", bad, format="json"), "Error", status=422)
    assert a.read.get(f"/api/v1/media/{media['id']}").json()["description"] == "Two by two"
    attached = world.media["id"]  # posted with a status: final, as on Mastodon
    check(a.read.get(f"/api/v1/media/{attached}"), "Error", status=404)
    check(a.write.put(f"/api/v1/media/{attached}", {"description": "x"}, format="json"), "Error", status=404)
    check(world.b.read.get(f"/api/v1/media/{media['id']}"), "Error", status=404)


def test_conversations(world: World) -> None:
    a = world.a
    listed = check(a.read.get("/api/v1/conversations"), "[Conversation]")
    conversation = listed[0]["id"]
    check(a.write.post(f"/api/v1/conversations/{conversation}/read"), "Conversation")
    assert a.write.delete(f"/api/v1/conversations/{conversation}").json() == {}


def test_the_same_idempotency_key_posts_once(session_for: Any) -> None:
    session: Session = session_for(UserFactory())
    sent = [
        session.write.post("/api/v1/statuses", {"status": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        for _ in range(2)
    ]
    assert [r.status_code for r in sent] == [200, 200]
    assert sent[0].json()["id"] == sent[1].json()["id"]
    assert sent[1]["Idempotent-Replayed"] == "true"
    mine = session.read.get(f"/api/v1/accounts/{session.user.pk}/statuses").json()
    assert [s["content"] for s in mine] == ["<p>once</p>"]
    reused = session.write.post("/api/v1/statuses", {"status": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    check(reused, "Error", status=422)


def test_errors_before_a_view_are_in_mastodons_form(session_for: Any, settings: Any) -> None:
    session: Session = session_for(UserFactory())
    AccessToken.objects.all().delete()  # as revoking does: admission refuses the token from now
    revoked = check(session.read.get("/api/v1/timelines/home"), "Error", status=401)
    assert revoked["error"] == "This session has ended: sign in again."
    settings.RATE_LIMIT_SCALE = 1.0
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "app": "2/3600"}
    client = MastodonWrite()
    answers = [
        client.post("/api/v1/apps", {"client_name": "n", "redirect_uris": oauth.OOB, "scopes": "read"})
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert_entity(answers[2].json(), "Error")
    assert int(answers[2]["Retry-After"]) > 0
    check(MastodonRead().get("/api/v1/nothing/here"), "Error", status=404)
