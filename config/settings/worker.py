"""Celery worker and beat: the primary for writes; heavy reads choose the replica explicitly."""

from config.secrets import require_keys
from config.settings.base import *  # noqa: F403
from config.settings.base import JWT_SIGNING_KEY, SECRET_KEY

SERVICE_ROLE = "worker"

require_keys(SECRET_KEY=SECRET_KEY, JWT_SIGNING_KEY=JWT_SIGNING_KEY)
