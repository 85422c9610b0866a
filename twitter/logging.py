"""Log lines: one JSON object per line (LOG_FORMAT=json), or readable console lines
(LOG_FORMAT=console, what `make run` uses), from every logger of every process.

Each line carries the time, level, role (SERVICE_ROLE), logger and message, and what the
process is working for: `request_id` (the gateway's X-Request-ID, carried by an outbox
event to every task it causes), `user_id`, and in a worker the task's name, id, attempt
and event id. Secrets never reach a line: fields named like one are replaced, and
bearer tokens, JWTs and passwords in a message are masked (`redact`).
"""

import contextvars
import functools
import logging
import os
import re
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
import structlog

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# What the current request or task is about (user_id, task fields), shared with the code
# it runs: a field bound deep in a view is on the middleware's line too.
_bound: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("log_fields", default=None)


class Scope(NamedTuple):
    fields: dict[str, Any]  # what lines inside carry (and `bind` adds to)
    token: contextvars.Token[dict[str, Any] | None]
    request_token: contextvars.Token[str] | None


def enter(*, request_id: str | None = None, **fields: Any) -> Scope:
    """Fields on every line logged until `leave` (a request, a task, one event of a
    batch); the request id, when given, replaces the current one."""
    bound = {**(_bound.get() or {}), **fields}
    return Scope(bound, _bound.set(bound), request_id_var.set(str(request_id)) if request_id else None)


def leave(scope: Scope) -> None:
    if scope.request_token is not None:
        request_id_var.reset(scope.request_token)
    _bound.reset(scope.token)


@contextmanager
def scope(*, request_id: str | None = None, **fields: Any) -> Iterator[dict[str, Any]]:
    """`enter` and `leave` around a block; yields the scope's fields."""
    entered = enter(request_id=request_id, **fields)
    try:
        yield entered.fields
    finally:
        leave(entered)


def bind(**fields: Any) -> None:
    """Add fields to the current scope (e.g. the user, once authenticated)."""
    current = _bound.get()
    if current is not None:
        current.update(fields)


def current_request_id() -> str:
    return request_id_var.get()


# --- Redaction -------------------------------------------------------------------------

SENSITIVE_KEYS = re.compile(r"pass(word)?|secret|token|authorization|cookie|api[_-]?key|signature", re.IGNORECASE)
_MASKS = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[redacted jwt]"),
    (
        re.compile(
            r"""(?i)(["']?(?:password|new_password|old_password|secret|token|refresh|access)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,&}]+)"""
        ),
        r"\1[redacted]",
    ),
)


# What a secret in a text starts with or is named by: the masks run only on texts holding one.
_SUSPECT = re.compile(r"(?i)bearer|basic|eyJ|pass|secret|token|refresh|access")


def mask(text: str) -> str:
    if not _SUSPECT.search(text):
        return text
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """No secret in a line: fields named like one are replaced, messages are masked."""
    for key in list(event):
        if key in ("event", "exception"):
            if isinstance(event[key], str):
                event[key] = mask(event[key])
        elif SENSITIVE_KEYS.search(key):
            event[key] = "[redacted]"
        elif isinstance(event[key], str):
            event[key] = mask(event[key])
    return event


# --- Formatting --------------------------------------------------------------------------


@functools.cache
def role() -> str:
    """The process's role: SERVICE_ROLE, or LOG_ROLE where one settings module serves two
    (beat runs with the worker's)."""
    if os.environ.get("LOG_ROLE"):
        return os.environ["LOG_ROLE"]
    from django.conf import settings

    try:
        return str(getattr(settings, "SERVICE_ROLE", "-"))
    except Exception:  # noqa: BLE001 - a log line must never fail: no settings, no role
        return "-"


def _context() -> Any:
    def add(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        record = event.get("_record")
        event.pop("request", None)  # Django passes the request object: its repr says nothing useful
        event.pop("server_time", None)
        event["role"] = role()
        event["request_id"] = request_id_var.get()
        for key, value in (_bound.get() or {}).items():
            event.setdefault(key, value)
        if record is not None:
            event["logger"] = record.name
        return event

    return add


@functools.lru_cache(maxsize=1024)
def _sensitive(key: str) -> bool:
    return SENSITIVE_KEYS.search(key) is not None


# A LogRecord's own attributes; any other is an `extra` field of the line.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """LOG_FORMAT=json: one JSON object per line, built directly from the record (a
    request line costs a few microseconds: every request writes one)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="microseconds"),
            "level": record.levelname.lower(),
            "role": role(),
            "logger": record.name,
            "message": mask(record.getMessage()),
            "request_id": request_id_var.get(),
        }
        for key, value in (_bound.get() or {}).items():
            line[key] = value
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRIBUTES or key == "request":  # Django's request object says nothing useful
                continue
            if _sensitive(key):
                line[key] = "[redacted]"
            else:
                line[key] = mask(value) if isinstance(value, str) else value
        if record.exc_info:
            line["exception"] = mask(self.formatException(record.exc_info))
        return orjson.dumps(line, default=str).decode()


def formatter(*, fmt: str) -> logging.Formatter:
    """The logging formatter of every handler: LOG_FORMAT `json`, or `console` (structlog's
    readable lines, with the same fields and redaction)."""
    if fmt != "console":
        return JsonFormatter()
    chain = [
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
        structlog.stdlib.ExtraAdder(),
        _context(),
        redact,
    ]
    final: list[Any] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        structlog.dev.ConsoleRenderer(colors=False),
    ]
    return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=chain, processors=final)


def formatter_from_env() -> logging.Formatter:
    """The same formatter, for a process that logs before Django is set up (granian's
    own lines: config/granian-logging.json)."""
    return formatter(fmt=os.environ.get("LOG_FORMAT", "json"))
