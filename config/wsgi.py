"""WSGI entry point of the write-API and read-API (served by granian).

The role comes from DJANGO_SETTINGS_MODULE: config.settings.write or config.settings.read.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.http import HttpResponse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.write")

StartResponse = Callable[..., Any]

django_application = get_wsgi_application()


def _open_pools() -> None:
    """Open every database's connection pool as the process starts: the pool makes its
    connections in the background, and the first requests that need one find it ready
    instead of connecting."""
    for alias in connections:
        pool = getattr(connections[alias], "pool", None)
        if pool is not None:
            pool.open(wait=False)


_open_pools()


# The most of an unread request body read (and dropped) after the answer: more than the
# gateway lets through (client_max_body_size).
_DRAIN_LIMIT = 16 * 1024 * 1024


def _drain(environ: dict[str, Any]) -> None:
    """Read what the application left of the request body. An answer given early (a 401
    to an expired token on a large upload) must not leave the gateway writing a body into
    a closed connection: nginx would turn that into a 502 for the client."""
    stream = environ.get("wsgi.input")
    if stream is None or not environ.get("CONTENT_LENGTH", "").strip("0"):
        return
    drained = 0
    while drained < _DRAIN_LIMIT:
        chunk = stream.read(65536)
        if not chunk:
            return
        drained += len(chunk)


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Django's application, with a whole (non-streaming) response handed to the server
    as a list of one body: granian writes a list in one go, and streams any other
    iterable from Python. The response is closed here, as the server would close it."""
    response = django_application(environ, start_response)
    _drain(environ)
    if not isinstance(response, HttpResponse):  # streaming: the server iterates it
        return response
    try:
        return [response.content]
    finally:
        response.close()
