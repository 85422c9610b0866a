"""The JSON body parser of both APIs.

orjson instead of the standard library: it refuses nesting deeper than 1,024 levels
(the standard parser recursed until Python's RecursionError, a 500), lone surrogates and
invalid UTF-8, and it is faster. (A NUL character parses: fields refuse control
characters with a message naming the field, and a NUL that reaches Postgres, which
cannot store one, is a 400 from the error handler.)
"""

from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


def parse_json(body: bytes) -> Any:
    """The JSON value in `body`, or ParseError with a message a client can act on."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"JSON parse error: {exc}") from None
    return data


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        if stream is None:
            return parse_json(b"")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise RequestDataTooBig("The JSON body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
        return parse_json(body)
