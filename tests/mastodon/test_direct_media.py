"""A direct message's images reach Mastodon apps, which fetch media with no token: each
attachment links to the image by a signed link of its own, good for a while, that names
that image only; a deleted message's images are gone at once."""

import io
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from PIL import Image

from apps.messages import services as message_services
from tests.factories import UserFactory
from tests.mastodon.conftest import MastodonRead, Session, png

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.single_redis]


def _sent_with_an_image(session_for: Any) -> tuple[Session, Session, dict[str, Any]]:
    alice, bob = session_for(UserFactory(username="alice")), session_for(UserFactory(username="bob"))
    assert alice.write.post(f"/api/v1/accounts/{bob.user.pk}/follow").status_code == 200  # she takes his messages
    upload = bob.write.post("/api/v2/media", {"file": png((5, 4))}, format="multipart")
    assert upload.status_code == 200, upload.content
    return alice, bob, bob.post("@alice a picture", visibility="direct", media_ids=[upload.json()["id"]])


def _fetch(url: str) -> Any:
    """What a Mastodon app gets for a media URL: no token."""
    return MastodonRead().get(urlsplit(url).path)


def test_both_participants_apps_fetch_the_image_with_no_token(session_for: Any) -> None:
    alice, _, sent = _sent_with_an_image(session_for)
    [conversation] = alice.read.get("/api/v1/conversations").json()
    links = [sent["media_attachments"][0]["url"], conversation["last_status"]["media_attachments"][0]["url"]]
    for link in links:
        assert link.startswith("http://testserver/media/direct/")
        fetched = _fetch(link)
        assert fetched.status_code == 200
        assert fetched["Cache-Control"] == "private, no-store"
        assert Image.open(io.BytesIO(b"".join(fetched.streaming_content))).size == (5, 4)


def test_a_link_that_was_altered_or_expired_or_whose_message_is_gone_finds_nothing(session_for: Any) -> None:
    _, bob, sent = _sent_with_an_image(session_for)
    link = sent["media_attachments"][0]["url"]
    token = link.rsplit("/", 1)[1]
    value, _, signature = token.partition(":")
    message_id, media_id = value.split("-")
    altered = [
        f"{int(message_id) + 1}-{media_id}:{signature}",  # another message, the same signature
        f"{message_id}-{int(media_id) + 1}:{signature}",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "not-a-token",
    ]
    for wrong in altered:
        answer = _fetch(f"http://testserver/media/direct/{wrong}")
        assert answer.status_code == 404, wrong
        assert answer.json() == {"error": "Record not found"}
    with override_settings(MASTODON_DM_MEDIA_URL_SECONDS=-1):
        assert _fetch(link).status_code == 404
    assert _fetch(link).status_code == 200

    conversation_id = bob.read.get("/api/v1/conversations").json()[0]["id"]
    message_services.message_delete(
        user_id=bob.user.pk, conversation_id=int(conversation_id), message_id=int(sent["id"])
    )
    assert _fetch(link).status_code == 404
