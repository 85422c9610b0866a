"""ASGI entry point of the streaming process (Server-Sent Events)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.streaming")

application = get_asgi_application()
