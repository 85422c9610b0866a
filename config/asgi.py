"""ASGI entry point, for long-lived streaming endpoints under an ASGI server."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.read")

application = get_asgi_application()
