"""Celery worker and beat: the primary for writes; heavy reads choose the replica explicitly."""

from config.settings.base import *  # noqa: F403

SERVICE_ROLE = "worker"
