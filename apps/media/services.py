"""Uploading, confirming, attaching and expiring media."""

import functools
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from apps.media import images, storage
from apps.media.models import Media
from twitter.db.routing import PRIMARY
from twitter.errors import ApplicationError, ConflictError, NotFoundError

MAX_PER_TWEET = 4


def _key(media_id: int, content_type: str) -> str:
    return f"{media_id}.{images.TYPES[content_type][0]}"


def _purpose(value: str) -> str:
    if value not in Media.Purpose.values:
        raise ApplicationError("Invalid input.", fields={"purpose": ["Either 'tweet' or 'avatar'."]})
    return value


DESCRIPTION_MAX_CHARACTERS = 1500  # as Mastodon's


def _described(media: Media, description: Any, focus: Any) -> None:
    """Check and set what `media` shows (`description`, its alt text) and where its subject
    is (`focus`: "x,y", each from -1.0 to 1.0); None leaves either as it is."""
    problems: dict[str, list[str]] = {}
    if description is not None:
        if not isinstance(description, str) or len(description) > DESCRIPTION_MAX_CHARACTERS:
            problems["description"] = [f"Text of at most {DESCRIPTION_MAX_CHARACTERS} characters."]
        else:
            media.description = description.strip()
    if focus is not None:
        point = _focus(focus)
        if point is None:
            problems["focus"] = ['Two numbers from -1.0 to 1.0, as "x,y".']
        else:
            media.focus_x, media.focus_y = point
    if problems:
        raise ApplicationError("Invalid input.", fields=problems)


def _focus(value: Any) -> tuple[float, float] | None:
    parts = value.split(",") if isinstance(value, str) else []
    try:
        point = tuple(float(part) for part in parts)
    except ValueError:
        return None
    if len(point) != 2 or not all(-1.0 <= n <= 1.0 for n in point):  # NaN is refused here too
        return None
    return point[0], point[1]


def media_upload(
    *,
    owner_id: int,
    file: UploadedFile,
    purpose: str = Media.Purpose.TWEET,
    description: str | None = None,
    focus: str | None = None,
) -> Media:
    """A direct upload through the write-API: checked, stored, ready to attach."""
    purpose = _purpose(purpose)
    if file.size is not None and file.size > settings.MEDIA_MAX_BYTES:
        raise ApplicationError(
            "File too large.", code="media_too_large", fields={"file": [f"At most {settings.MEDIA_MAX_BYTES} bytes."]}
        )
    data = file.read(settings.MEDIA_MAX_BYTES + 1)
    info = images.inspect(data)
    media = Media(owner_id=owner_id, purpose=purpose, status=Media.Status.READY, content_type=info.content_type)
    _described(media, description, focus)
    media.key = _key(media.id, info.content_type)
    media.size, media.width, media.height, media.blurhash = len(data), info.width, info.height, info.blurhash
    storage.save(media.key, data, info.content_type)
    media.save(force_insert=True)
    return media


def media_upload_intent(
    *, owner_id: int, content_type: str, size: int, purpose: str = Media.Purpose.TWEET, description: str | None = None
) -> tuple[Media, str]:
    """A pending media and a presigned URL to PUT its bytes to (S3 storage only)."""
    if not storage.uses_s3():
        raise ApplicationError(
            "This server takes uploads directly: POST the file as multipart/form-data.",
            code="direct_upload_required",
        )
    errors: dict[str, list[str]] = {}
    if content_type not in images.TYPES:
        errors["content_type"] = [f"One of {', '.join(images.TYPES)}."]
    if not 0 < size <= settings.MEDIA_MAX_BYTES:
        errors["size"] = [f"From 1 to {settings.MEDIA_MAX_BYTES} bytes."]
    if errors:
        raise ApplicationError("Invalid input.", fields=errors)
    media = Media(owner_id=owner_id, purpose=_purpose(purpose), content_type=content_type, size=size)
    _described(media, description, None)
    media.key = _key(media.id, content_type)
    media.save(force_insert=True)
    return media, storage.presigned_put(key=media.key, content_type=content_type)


def _own(media_id: int, owner_id: int) -> Media:
    """The caller's media, locked. Someone else's is as good as missing."""
    media = Media.objects.select_for_update().filter(pk=media_id, owner_id=owner_id).first()
    if media is None:
        raise NotFoundError("Media not found.", code="media_not_found")
    return media


def media_describe(*, owner_id: int, media_id: int, description: Any = None, focus: Any = None) -> Media:
    """Change the description or focus of the owner's media until it is attached; after,
    it is part of what it was posted with (an attached or someone else's media: 404)."""
    with transaction.atomic():
        media = _own(media_id, owner_id)
        if media.attached_at is not None:
            raise NotFoundError("Media not found.", code="media_not_found")
        _described(media, description, focus)
        media.save(update_fields=["description", "focus_x", "focus_y"])
    return media


def media_unattached(*, owner_id: int, media_id: int) -> Media:
    """The owner's media not attached yet (anything else: 404), from the primary: it was
    just uploaded."""
    media = Media.objects.using(PRIMARY).filter(pk=media_id, owner_id=owner_id, attached_at__isnull=True).first()
    if media is None:
        raise NotFoundError("Media not found.", code="media_not_found")
    return media


def media_confirm(*, owner_id: int, media_id: int) -> Media:
    """Check what was uploaded to the bucket: size from its head, type and dimensions
    from its bytes. A bad upload is deleted and the media stays pending."""
    with transaction.atomic():
        media = _own(media_id, owner_id)
        if media.status == Media.Status.READY:
            return media
        size = storage.stored_size(media.key)
        if size is None:
            raise ConflictError("Nothing was uploaded yet.", code="upload_missing")
        try:
            if size > settings.MEDIA_MAX_BYTES:
                raise ApplicationError(
                    "File too large.",
                    code="media_too_large",
                    fields={"file": [f"At most {settings.MEDIA_MAX_BYTES} bytes."]},
                )
            info = images.inspect(storage.read(media.key))
            if info.content_type != media.content_type:
                raise ApplicationError(
                    "The upload is not the declared type.",
                    code="media_type_mismatch",
                    fields={"file": [f"Declared {media.content_type}, uploaded {info.content_type}."]},
                )
        except ApplicationError:
            storage.delete(media.key)
            raise
        media.status, media.size, media.width, media.height = Media.Status.READY, size, info.width, info.height
        media.blurhash = info.blurhash
        media.save(update_fields=["status", "size", "width", "height", "blurhash"])
        return media


def _public(media: Media) -> dict[str, Any]:
    return {
        "id": str(media.id),
        "type": "image",
        "content_type": media.content_type,
        "url": storage.public_url(media.key),
        "width": media.width,
        "height": media.height,
        "description": media.description or None,
        "focus": None if media.focus_x is None else {"x": media.focus_x, "y": media.focus_y},
        "blurhash": media.blurhash or None,
    }


def _attachable(media_ids: list[int], owner_id: int, purpose: str) -> list[Media]:
    found = {m.id: m for m in Media.objects.select_for_update().filter(pk__in=media_ids, owner_id=owner_id)}
    problems = []
    for media_id in media_ids:
        media = found.get(media_id)
        if media is None:
            problems.append(f"{media_id}: unknown media.")
        elif media.status != Media.Status.READY:
            problems.append(f"{media_id}: not confirmed yet.")
        elif media.attached_at is not None:
            problems.append(f"{media_id}: already used.")
        elif media.purpose != purpose:
            problems.append(f"{media_id}: uploaded as {media.purpose}.")
    if problems:
        raise ApplicationError("Invalid input.", code="media_invalid", fields={"media_ids": problems})
    return [found[media_id] for media_id in media_ids]


def media_attach_to_tweet(*, owner_id: int, media_ids: list[int], tweet_id: int) -> list[dict[str, Any]]:
    """Attach the owner's ready media to a new tweet, in the caller's transaction;
    returns them as the tweet's JSON carries them."""
    return _attach(owner_id, media_ids, tweet_id=tweet_id)


def media_attach_to_message(
    *, owner_id: int, media_ids: list[int], message_id: int, url_of: Callable[[int], str]
) -> list[dict[str, Any]]:
    """Attach the owner's ready media (uploaded as for a tweet) to a new direct message,
    in the caller's transaction; returns them as the message's JSON carries them, with
    `url_of(media id)` as their URL (the API that checks who asks).

    The bytes leave their public key (a media id can be guessed) for a private one, under
    `dm/` with a random name: copied now, the public copy deleted once the message
    commits. Serve `dm/` from no public origin (a CDN or bucket policy)."""
    attached = _attach(owner_id, media_ids, message_id=message_id)
    for media in Media.objects.filter(pk__in=media_ids):
        private = f"dm/{secrets.token_urlsafe(24)}.{media.key.rsplit('.', 1)[-1]}"
        storage.save(private, storage.read(media.key), media.content_type)
        transaction.on_commit(functools.partial(storage.delete, media.key))
        Media.objects.filter(pk=media.pk).update(key=private)
    return [{**shown, "url": url_of(int(shown["id"]))} for shown in attached]


def media_of_message(*, message_id: int, media_id: int) -> Media | None:
    """A message's medium: where the routers say, then on the primary (the replica may
    not have replayed a message just sent)."""
    for using in (None, PRIMARY):
        media = Media.objects.db_manager(using).filter(pk=media_id, message_id=message_id).first()
        if media is not None:
            return media
    return None


def media_private_location(media: Media) -> str | None:
    """Where a client fetches a private medium for a short while (S3: a presigned URL);
    None when the caller serves the bytes (`media_open`)."""
    return storage.private_url(media.key)


def media_open(media: Media) -> Any:
    return storage.open_file(media.key)


def media_discard_of_message(*, message_id: int) -> None:
    """A deleted message's media: rows now, bytes once the caller's transaction commits."""
    for key in Media.objects.filter(message_id=message_id).values_list("key", flat=True):
        transaction.on_commit(functools.partial(storage.delete, key))
    Media.objects.filter(message_id=message_id).delete()


def _attach(owner_id: int, media_ids: list[int], **used_by: int) -> list[dict[str, Any]]:
    if len(set(media_ids)) != len(media_ids) or len(media_ids) > MAX_PER_TWEET:
        raise ApplicationError("Invalid input.", fields={"media_ids": [f"Up to {MAX_PER_TWEET} different media ids."]})
    attached = _attachable(media_ids, owner_id, Media.Purpose.TWEET)
    Media.objects.filter(pk__in=media_ids).update(attached_at=timezone.now(), **used_by)
    return [_public(media) for media in attached]


def media_use_as_avatar(*, owner_id: int, media_id: int) -> str:
    """Mark the owner's ready avatar media used; returns its public URL."""
    [media] = _attachable([media_id], owner_id, Media.Purpose.AVATAR)
    media.attached_at = timezone.now()
    media.save(update_fields=["attached_at"])
    return storage.public_url(media.key)


def media_public(media: Media) -> dict[str, Any]:
    return {**_public(media), "status": media.status, "size": media.size}


def media_expire(*, older_than: timedelta | None = None, batch_size: int = 500) -> int:
    """Delete media never attached within MEDIA_UNATTACHED_TTL_SECONDS: bytes, then rows."""
    age = older_than if older_than is not None else timedelta(seconds=settings.MEDIA_UNATTACHED_TTL_SECONDS)
    cutoff = timezone.now() - age
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Media.objects.select_for_update(skip_locked=True).filter(
                    attached_at__isnull=True, created_at__lt=cutoff
                )[:batch_size]
            )
            if not batch:
                return removed
            for media in batch:
                storage.delete(media.key)
            Media.objects.filter(pk__in=[m.id for m in batch]).delete()
        removed += len(batch)
