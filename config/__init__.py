"""Project configuration: settings per process role, URLconfs, Celery app."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
