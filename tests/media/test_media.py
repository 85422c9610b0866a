"""Media: direct uploads to local storage, and presigned uploads to S3 (moto's S3
server, a real HTTP endpoint started by the test harness), through to tweet JSON."""

import io
import os
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import blurhash
import boto3
import pytest
import requests
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from apps.media import images, services
from apps.media.models import Media
from tests.factories import UserFactory


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (3, 2)) -> bytes:
    """An image of random pixels (which do not compress: size grows with the area)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(api: Any, data: bytes, *, name: str = "x.png", status: int = 201, **fields: str) -> dict[str, Any]:
    response = api.write.post("/api/v1/media", {"file": io.BytesIO(data), **fields}, format="multipart")
    assert response.status_code == status, response.content
    return dict(response.json())


# --- What an upload is ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_each_type_is_recognized_from_its_bytes(fmt: str, content_type: str) -> None:
    info = images.inspect(image_bytes(fmt, (7, 5)))
    assert (info.content_type, info.width, info.height) == (content_type, 7, 5)
    assert blurhash.components(info.blurhash) == (4, 4)


def test_an_image_gets_a_placeholder_of_its_colours() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    info = images.inspect(buffer.getvalue())
    pixels = blurhash.decode(info.blurhash, 4, 3)
    assert [round(c) for c in pixels[1][2]] == pytest.approx([200, 30, 30], abs=8)  # a lossy code


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"hello, I am text", "media_type_unsupported"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "media_type_unsupported"),
        (image_bytes("PNG")[:30], "media_invalid"),  # a PNG header, then nothing
        (b"\x89PNG\r\n\x1a\n" + image_bytes("JPEG"), "media_invalid"),  # a header that lies
    ],
)
def test_what_is_not_a_sound_image_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(images.ApplicationError) as refused:
        images.inspect(data)
    assert refused.value.code == code


def test_limits_on_bytes_and_pixels() -> None:
    with override_settings(MEDIA_MAX_DIMENSION=100), pytest.raises(images.ApplicationError) as wide:
        images.inspect(image_bytes("PNG", (101, 1)))
    assert wide.value.code == "media_too_large"
    with override_settings(MEDIA_MAX_BYTES=50), pytest.raises(images.ApplicationError) as heavy:
        images.inspect(image_bytes("PNG", (40, 40)))
    assert heavy.value.code == "media_too_large"


# --- Local storage: direct upload --------------------------------------------------------


def test_direct_upload_then_a_tweet_carries_it(api_for: Any) -> None:
    author = api_for(UserFactory())
    data = image_bytes("PNG", (4, 3))
    media = upload(author, data)
    assert (media["status"], media["content_type"], media["width"], media["height"]) == ("ready", "image/png", 4, 3)
    assert media["size"] == len(data)
    tweet = author.tweet("with a picture", media_ids=[media["id"]])
    [attached] = tweet["media"]
    shown = ("id", "type", "content_type", "url", "width", "height", "description", "focus", "blurhash")
    assert attached == {k: media[k] for k in shown}
    assert attached["url"] == f"/media/{media['id']}.png"
    assert author.read.get(f"/api/v1/tweets/{tweet['id']}").json()["media"] == [attached]
    served = author.read.get(attached["url"])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == data


def test_attach_only_own_ready_media_once_and_at_most_four(api_for: Any) -> None:
    author, other = api_for(UserFactory()), api_for(UserFactory())
    mine = upload(author, image_bytes())
    theirs = upload(other, image_bytes())
    before = author.read.get(f"/api/v1/users/{author.user.pk}").json()["tweets_count"]

    def refused(media_ids: list[str]) -> dict[str, Any]:
        response = author.write.post("/api/v1/tweets", {"text": "x", "media_ids": media_ids}, format="json")
        assert response.status_code == 400, response.content
        return dict(response.json()["error"])

    assert refused([theirs["id"]])["fields"]["media_ids"] == [f"{theirs['id']}: unknown media."]
    assert refused([mine["id"], mine["id"]])["fields"]["media_ids"]
    assert refused([upload(author, image_bytes())["id"] for _ in range(5)])["fields"]["media_ids"]
    assert refused(["12"])["code"] == "media_invalid"
    author.tweet("first use", media_ids=[mine["id"]])
    assert refused([mine["id"]])["fields"]["media_ids"] == [f"{mine['id']}: already used."]
    after = author.read.get(f"/api/v1/users/{author.user.pk}").json()["tweets_count"]
    assert after == before + 1  # the refused tweets were not saved


def test_bad_uploads_are_clear_400s_and_store_nothing(api_for: Any) -> None:
    author = api_for(UserFactory())
    assert upload(author, b"not an image", status=400)["error"]["code"] == "media_type_unsupported"
    with override_settings(MEDIA_MAX_BYTES=100):
        assert upload(author, image_bytes("PNG", (50, 50)), status=400)["error"]["code"] == "media_too_large"
    assert upload(author, image_bytes(), status=400, purpose="banner")["error"]["fields"]["purpose"]
    assert upload(author, image_bytes(), status=400, caption="hi")["error"]["fields"]["caption"]
    response = author.write.post("/api/v1/media", {"purpose": "tweet"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"]
    intent = author.write.post("/api/v1/media", {"content_type": "image/png", "size": 10}, format="json")
    assert (intent.status_code, intent.json()["error"]["code"]) == (400, "direct_upload_required")
    assert not Media.objects.exists()
    assert not os.path.exists(settings.MEDIA_ROOT) or not os.listdir(settings.MEDIA_ROOT)


def test_an_avatar_upload_becomes_the_profile_picture(api_for: Any) -> None:
    user = api_for(UserFactory())
    avatar = upload(user, image_bytes("JPEG"), purpose="avatar")
    photo = upload(user, image_bytes("JPEG"))
    wrong = user.write.patch("/api/v1/users/me", {"avatar_media_id": photo["id"]}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"]["media_ids"] == [f"{photo['id']}: uploaded as tweet."]
    response = user.write.patch("/api/v1/users/me", {"avatar_media_id": avatar["id"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["avatar_url"] == avatar["url"]
    cleared = user.write.patch("/api/v1/users/me", {"avatar_media_id": None}, format="json")
    assert cleared.json()["avatar_url"] == ""


def test_unattached_media_expire_and_attached_ones_stay(api_for: Any) -> None:
    author = api_for(UserFactory())
    kept, dropped, young = (upload(author, image_bytes()) for _ in range(3))
    author.tweet("keeps one", media_ids=[kept["id"]])
    Media.objects.filter(pk__in=[kept["id"], dropped["id"]]).update(created_at=timezone.now() - timedelta(days=2))
    assert services.media_expire() == 1
    assert set(Media.objects.values_list("id", flat=True)) == {int(kept["id"]), int(young["id"])}
    assert sorted(os.listdir(settings.MEDIA_ROOT)) == sorted([f"{kept['id']}.png", f"{young['id']}.png"])


# --- S3 storage: presign, upload, confirm --------------------------------------------------


@pytest.fixture
def s3_bucket() -> Iterator[Any]:
    endpoint = os.environ["MOTO_S3_URL"]
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    client.create_bucket(Bucket=bucket)
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "access_key": "test",
        "secret_key": "test",
        "region_name": "us-east-1",
        "addressing_style": "path",
        "querystring_auth": False,
    }
    storages = {**settings.STORAGES, "media": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}
    with override_settings(STORAGES=storages, MEDIA_STORAGE="s3", MEDIA_URL_BASE="https://cdn.example.test/m/"):
        client.bucket = bucket  # type: ignore[attr-defined]
        yield client


def intent(api: Any, status: int = 201, **body: Any) -> dict[str, Any]:
    response = api.write.post("/api/v1/media", body, format="json")
    assert response.status_code == status, response.content
    return dict(response.json())


def put(media: dict[str, Any], data: bytes) -> None:
    upload_to = media["upload"]
    response = requests.put(upload_to["url"], data=data, headers=upload_to["headers"], timeout=10)
    assert response.status_code == 200, response.text


def confirm(api: Any, media_id: str, status: int = 200) -> dict[str, Any]:
    response = api.write.post(f"/api/v1/media/{media_id}/confirm")
    assert response.status_code == status, response.content
    return dict(response.json())


def test_presign_upload_confirm_attach(api_for: Any, s3_bucket: Any) -> None:
    author = api_for(UserFactory())
    data = image_bytes("WEBP", (6, 9))
    media = intent(author, content_type="image/webp", size=len(data))
    assert media["status"] == "pending"
    assert media["upload"]["method"] == "PUT"
    assert media["upload"]["url"].startswith(os.environ["MOTO_S3_URL"])
    put(media, data)
    ready = confirm(author, media["id"])
    assert (ready["status"], ready["width"], ready["height"], ready["size"]) == ("ready", 6, 9, len(data))
    assert confirm(author, media["id"]) == ready  # confirming twice changes nothing
    tweet = author.tweet("from the bucket", media_ids=[media["id"]])
    assert tweet["media"][0]["url"] == f"https://cdn.example.test/m/{media['id']}.webp"
    stored = s3_bucket.get_object(Bucket=s3_bucket.bucket, Key=f"{media['id']}.webp")
    assert stored["Body"].read() == data
    assert stored["ContentType"] == "image/webp"


def test_s3_rejections(api_for: Any, s3_bucket: Any) -> None:
    author, other = api_for(UserFactory()), api_for(UserFactory())
    assert intent(author, status=400, content_type="image/tiff", size=10)["error"]["fields"]["content_type"]
    too_big = settings.MEDIA_MAX_BYTES + 1
    assert intent(author, status=400, content_type="image/png", size=too_big)["error"]["fields"]["size"]
    assert intent(author, status=400, content_type="image/png", size=10, shape="round")["error"]["fields"]["shape"]

    pending = intent(author, content_type="image/png", size=100)
    assert confirm(author, pending["id"], status=409)["error"]["code"] == "upload_missing"
    assert confirm(other, pending["id"], status=404)["error"]["code"] == "media_not_found"
    attach = author.write.post("/api/v1/tweets", {"text": "x", "media_ids": [pending["id"]]}, format="json")
    assert attach.json()["error"]["fields"]["media_ids"] == [f"{pending['id']}: not confirmed yet."]

    put(pending, image_bytes("JPEG"))  # declared PNG
    assert confirm(author, pending["id"], status=400)["error"]["code"] == "media_type_mismatch"
    listed = s3_bucket.list_objects_v2(Bucket=s3_bucket.bucket).get("Contents", [])
    assert listed == []  # the bad upload was deleted
    assert Media.objects.get(pk=pending["id"]).status == "pending"

    text = intent(author, content_type="image/gif", size=20)
    put(text, b"GIF? no, just text.")
    assert confirm(author, text["id"], status=400)["error"]["code"] == "media_type_unsupported"

    with override_settings(MEDIA_MAX_BYTES=200):
        heavy = intent(author, content_type="image/png", size=150)
        put(heavy, image_bytes("PNG", (64, 64)))
        assert confirm(author, heavy["id"], status=400)["error"]["code"] == "media_too_large"


# --- A direct message's media: for its participants only ------------------------------------


def _message_with(sender: Any, recipient: Any, media_id: str) -> dict[str, Any]:
    recipient.write.patch("/api/v1/users/me", {"dm_policy": "everyone"}, format="json")
    started = sender.write.post("/api/v1/conversations", {"participant_ids": [str(recipient.user.pk)]}, format="json")
    conversation = started.json()["id"]
    sent = sender.write.post(
        f"/api/v1/conversations/{conversation}/messages", {"text": "a picture", "media_ids": [media_id]}, format="json"
    )
    assert sent.status_code == 201, sent.content
    return dict(sent.json())


def test_a_messages_media_is_served_to_its_participants_only(api_for: Any, outbox: Any) -> None:
    ann, ben, eve = api_for(UserFactory()), api_for(UserFactory()), api_for(UserFactory())
    data = image_bytes()
    media = upload(ann, data)
    message = _message_with(ann, ben, media["id"])
    url = message["media"][0]["url"]
    assert url == (f"/api/v1/conversations/{message['conversation_id']}/messages/{message['id']}/media/{media['id']}")
    for participant in (ann, ben):
        response = participant.read.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == data
        assert (response["Content-Type"], response["Cache-Control"]) == ("image/png", "private, no-store")
    assert eve.read.get(url).json()["error"]["code"] == "conversation_not_found"
    assert eve.read.get(url).status_code == 404
    ben.read.credentials()
    assert ben.read.get(url).status_code == 401
    # Its public address (a guessable media id) serves nothing any more.
    assert eve.read.get(media["url"]).status_code == 404
    stored = Media.objects.get(pk=media["id"])
    assert stored.key.startswith("dm/")
    assert len(stored.key) > 30  # a random name
    other = url.replace(f"/media/{media['id']}", f"/media/{int(media['id']) + 1}")
    assert ann.read.get(other).json()["error"]["code"] == "media_not_found"

    deleted = ann.write.delete(f"/api/v1/conversations/{message['conversation_id']}/messages/{message['id']}")
    assert deleted.status_code == 204
    assert ann.read.get(url).status_code == 404
    assert not Media.objects.filter(pk=media["id"]).exists()
    assert not services.storage.storage().exists(stored.key)  # the bytes went with the message


def test_a_messages_media_on_s3_is_a_short_lived_link(api_for: Any, s3_bucket: Any, outbox: Any) -> None:
    ann, ben = api_for(UserFactory()), api_for(UserFactory())
    data = image_bytes("WEBP", (4, 4))
    media = intent(ann, content_type="image/webp", size=len(data))
    put(media, data)
    confirm(ann, media["id"])
    message = _message_with(ann, ben, media["id"])
    response = ben.read.get(message["media"][0]["url"])
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert response["Location"].startswith(os.environ["MOTO_S3_URL"])
    expires = int(parse_qs(urlsplit(response["Location"]).query)["Expires"][0])
    assert 0 < expires - time.time() <= settings.DM_MEDIA_URL_SECONDS
    assert requests.get(response["Location"], timeout=10).content == data
    with pytest.raises(s3_bucket.exceptions.ClientError):  # the public copy is gone
        s3_bucket.head_object(Bucket=s3_bucket.bucket, Key=f"{media['id']}.webp")
