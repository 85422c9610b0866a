"""The Celery application: broker = Redis, settings under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.worker")

app = Celery("twitter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["twitter"])
app.autodiscover_tasks()
