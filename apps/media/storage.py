"""Where media bytes live: django-storages' S3 backend (any S3-compatible store) when a
bucket is configured, else the local file system (the embedded default)."""

from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages


def storage() -> Storage:
    return storages["media"]


def uses_s3() -> bool:
    return bool(settings.MEDIA_STORAGE == "s3")


def _s3() -> Any:
    return storage().connection.meta.client  # type: ignore[attr-defined]  # S3Storage's boto3 resource


def _bucket() -> str:
    return str(storage().bucket_name)  # type: ignore[attr-defined]  # S3Storage


def presigned_put(*, key: str, content_type: str) -> str:
    """A URL the client PUTs the bytes to, with this Content-Type, before it expires."""
    return str(
        _s3().generate_presigned_url(
            "put_object",
            Params={"Bucket": _bucket(), "Key": key, "ContentType": content_type},
            ExpiresIn=settings.MEDIA_UPLOAD_SECONDS,
        )
    )


def stored_size(key: str) -> int | None:
    """The stored object's size, or None when nothing was uploaded."""
    try:
        return int(_s3().head_object(Bucket=_bucket(), Key=key)["ContentLength"])
    except _s3().exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def read(key: str) -> bytes:
    with storage().open(key, "rb") as stored:
        return bytes(stored.read(settings.MEDIA_MAX_BYTES + 1))


def save(key: str, data: bytes, content_type: str) -> None:
    content = ContentFile(data)
    content.content_type = content_type  # type: ignore[attr-defined]  # read by S3Storage for Content-Type
    storage().save(key, content)


def delete(key: str) -> None:
    storage().delete(key)


def open_file(key: str) -> Any:
    return storage().open(key, "rb")


def private_url(key: str) -> str | None:
    """A short-lived URL of a private object (a direct message's media): presigned on S3;
    None for local storage, whose bytes the read-API serves itself."""
    if not uses_s3():
        return None
    return str(
        _s3().generate_presigned_url(
            "get_object", Params={"Bucket": _bucket(), "Key": key}, ExpiresIn=settings.DM_MEDIA_URL_SECONDS
        )
    )


def public_url(key: str) -> str:
    """Where clients fetch the bytes: the CDN base URL when set, else the storage's URL."""
    if settings.MEDIA_URL_BASE:
        return f"{settings.MEDIA_URL_BASE.rstrip('/')}/{key}"
    return storage().url(key)
