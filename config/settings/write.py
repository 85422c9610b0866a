"""write-API: every mutation, auth and the Django admin, against the primary."""

from config.secrets import require_keys
from config.settings.base import *  # noqa: F403
from config.settings.base import JWT_SIGNING_KEY, SECRET_KEY, WRITE_MIDDLEWARE

SERVICE_ROLE = "write-api"
ROOT_URLCONF = "config.urls_write"

MIDDLEWARE = WRITE_MIDDLEWARE

require_keys(SECRET_KEY=SECRET_KEY, JWT_SIGNING_KEY=JWT_SIGNING_KEY)
