"""ASGI entry point of the streaming process: Server-Sent Events through Django, and the
Mastodon-compatible API's WebSocket (apps.mastodon.websocket), which Django cannot serve."""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.streaming")

django_application = get_asgi_application()

from apps.mastodon import websocket  # noqa: E402 - after Django is set up


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":
        if scope.get("path", "").rstrip("/") == websocket.PATH:
            await websocket.streaming(scope, receive, send)
        else:
            await receive()
            await send({"type": "websocket.close", "code": 1000})
        return
    await django_application(scope, receive, send)
