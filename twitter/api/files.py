"""Answers that hand over a private file."""

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase


def private_file(location: str | None, open_file: Callable[[], Any], content_type: str) -> HttpResponseBase:
    """A redirect to a short-lived `location` (object storage), or the bytes when there is
    none (local storage); neither may be kept by a shared cache."""
    response: HttpResponseBase
    if location is not None:
        response = HttpResponseRedirect(location)
    else:
        response = FileResponse(open_file(), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
