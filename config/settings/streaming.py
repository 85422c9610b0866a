"""streaming: long-lived Server-Sent Events under an ASGI server; the read-API's settings
with its own URLs and no middleware (every one of them would cost a thread hop per
request, and the views set their own headers)."""

from config.settings.read import *  # noqa: F403

SERVICE_ROLE = "streaming"
ROOT_URLCONF = "config.urls_streaming"
MIDDLEWARE = []
