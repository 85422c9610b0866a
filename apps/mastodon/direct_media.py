"""Links that Mastodon apps fetch a direct message's images with.

Mastodon apps fetch media with no token, so the link itself is the permission: it names
the message and the image, is signed with the SECRET_KEY (Django's signing), and is good
for MASTODON_DM_MEDIA_URL_SECONDS. Whoever holds a link sees that one image until then, as
with a presigned S3 URL; a deleted message's images are gone at once.
"""

from django.conf import settings
from django.core import signing

_SIGNER = signing.TimestampSigner(salt="apps.mastodon.direct_media")
PREFIX = "/media/direct/"


def link(origin: str, *, message_id: int, media_id: int) -> str:
    return f"{origin}{PREFIX}{_SIGNER.sign(f'{message_id}-{media_id}')}"


def opened(token: str) -> tuple[int, int] | None:
    """(message id, media id) of a link's token that is genuine and not expired, else None."""
    try:
        value = _SIGNER.unsign(token, max_age=settings.MASTODON_DM_MEDIA_URL_SECONDS)
    except signing.BadSignature:  # expired ones included
        return None
    message, _, media = value.partition("-")
    return (int(message), int(media)) if message.isdigit() and media.isdigit() else None
