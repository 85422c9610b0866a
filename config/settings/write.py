"""write-API: every mutation, auth and the Django admin, against the primary."""

from config.settings.base import *  # noqa: F403

SERVICE_ROLE = "write-api"
ROOT_URLCONF = "config.urls_write"
