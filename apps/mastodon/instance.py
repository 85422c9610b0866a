"""Mastodon's Instance entity (v1 and v2): what clients read first to learn the server's
limits. The version string is one Mastodon clients parse as 4.3 (their feature checks)."""

from typing import Any

from django.conf import settings

from apps.media import images
from apps.media import services as media_services
from apps.tweets.models import TEXT_MAX_LENGTH

MASTODON_VERSION = "4.3.0"
SOFTWARE_VERSION = "1.0"
VERSION = f"{MASTODON_VERSION} (compatible; twitter {SOFTWARE_VERSION})"
MAX_MEDIA_ATTACHMENTS = media_services.MAX_PER_TWEET
IMAGE_TYPES = list(images.TYPES)


def _configuration(origin: str) -> dict[str, Any]:
    streaming = origin.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    return {
        "urls": {"streaming": streaming, "streaming_api": streaming},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {
            "max_characters": TEXT_MAX_LENGTH,
            "max_media_attachments": MAX_MEDIA_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": IMAGE_TYPES,
            "image_size_limit": int(settings.MEDIA_MAX_BYTES),
            "image_matrix_limit": 16_777_216,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
            "description_limit": media_services.DESCRIPTION_MAX_CHARACTERS,
        },
        "polls": {"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0, "max_expiration": 0},
        "translation": {"enabled": False},
        "vapid": {"public_key": ""},  # no Web Push here: no key to subscribe with
    }


def _domain(host: str) -> str:
    return host.split(":")[0] if not host.startswith("[") else host.split("]")[0] + "]"


def instance_v2(*, origin: str, host: str, active_users: int) -> dict[str, Any]:
    return {
        "domain": _domain(host),
        "title": settings.INSTANCE_TITLE,
        "version": VERSION,
        "source_url": "https://github.com/",
        "description": settings.INSTANCE_DESCRIPTION,
        "usage": {"users": {"active_month": active_users}},
        "thumbnail": {"url": origin + "/static/mastodon/header.png"},
        "icon": [],
        "languages": ["en"],
        "configuration": _configuration(origin),
        "registrations": {"enabled": True, "approval_required": False, "message": None},
        "contact": {"email": settings.INSTANCE_CONTACT_EMAIL, "account": None},
        "rules": [],
        "api_versions": {"mastodon": 2},
    }


def instance_v1(*, origin: str, host: str, users: int, statuses: int) -> dict[str, Any]:
    configuration = _configuration(origin)
    return {
        "uri": _domain(host),
        "title": settings.INSTANCE_TITLE,
        "short_description": settings.INSTANCE_DESCRIPTION,
        "description": settings.INSTANCE_DESCRIPTION,
        "email": settings.INSTANCE_CONTACT_EMAIL,
        "version": VERSION,
        "urls": {"streaming_api": configuration["urls"]["streaming"]},
        "stats": {"user_count": users, "status_count": statuses, "domain_count": 0},
        "thumbnail": origin + "/static/mastodon/header.png",
        "languages": ["en"],
        "registrations": True,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": {key: configuration[key] for key in ("accounts", "statuses", "media_attachments", "polls")},
        "contact_account": None,
        "rules": [],
    }
