"""What an uploaded file really is: the type from its first bytes (never the client's
word or the file name), then Pillow reads and verifies it and gives its dimensions."""

import io
import warnings
from dataclasses import dataclass

import blurhash
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from twitter.errors import ApplicationError

# Content type -> (file extension, Pillow's format name).
TYPES = {
    "image/jpeg": ("jpg", "JPEG"),
    "image/png": ("png", "PNG"),
    "image/gif": ("gif", "GIF"),
    "image/webp": ("webp", "WEBP"),
}


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int
    height: int
    blurhash: str  # a few bytes clients draw while the image loads (blurha.sh)


_BLURHASH_PIXELS = 32  # the image is scaled down to at most this on a side first
_BLURHASH_COMPONENTS = 4  # on each axis, as Mastodon's


def _blurhash(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (_BLURHASH_PIXELS * 2, _BLURHASH_PIXELS * 2))  # JPEG: decode at a fraction
        small = image.convert("RGB")
        small.thumbnail((_BLURHASH_PIXELS, _BLURHASH_PIXELS))
        width = small.width
        flat = list(small.get_flattened_data())
        rows = [flat[y * width : (y + 1) * width] for y in range(small.height)]
    return str(blurhash.encode(rows, _BLURHASH_COMPONENTS, _BLURHASH_COMPONENTS))


def sniff(head: bytes) -> str | None:
    """The image type the magic bytes announce, if one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _reject(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"file": [message]})


def inspect(data: bytes) -> ImageInfo:
    if len(data) > settings.MEDIA_MAX_BYTES:
        raise _reject(f"At most {settings.MEDIA_MAX_BYTES} bytes.", "media_too_large")
    content_type = sniff(data[:16])
    if content_type is None:
        raise _reject("Not a JPEG, PNG, GIF or WebP image.", "media_type_unsupported")
    limit = settings.MEDIA_MAX_DIMENSION
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if image.format != TYPES[content_type][1]:
                    raise _reject("The image does not match its own header.", "media_invalid")
                if width > limit or height > limit:
                    raise _reject(f"At most {limit}x{limit} pixels.", "media_too_large")
                image.verify()
            hash_ = _blurhash(data)  # verify() leaves the image unusable: read it again
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _reject("The image is damaged or cannot be read.", "media_invalid") from exc
    except Image.DecompressionBombWarning as exc:
        raise _reject(f"At most {limit}x{limit} pixels.", "media_too_large") from exc
    return ImageInfo(content_type=content_type, width=width, height=height, blurhash=hash_)
