"""Idle streams: how many Server-Sent Events streams one streaming process holds, what
each costs in memory, and how long a tweet takes to reach every one of them.

The client is one asyncio loop with a plain socket per stream (no HTTP library would
hold thousands cheaply); each stream is a different follower of one author, signed in
with a token of its own, connected straight to the streaming process.
"""

import asyncio
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

CONNECT_BATCH = 200  # streams opened at once


def raise_open_files_limit(wanted: int) -> int:
    """Allow this process (and the servers it starts next, which inherit the limit) at
    least `wanted` open files, or as many as the hard limit allows; return the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return soft
    enough_hard = hard == resource.RLIM_INFINITY or hard >= wanted
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard if enough_hard else wanted))
        return wanted
    except (ValueError, PermissionError):  # only root may raise the hard limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard


@dataclass
class _Stream:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    received_at: float | None = None
    buffer: bytes = b""


@dataclass
class StreamsResult:
    requested: int
    connected: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    connect_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self, rss_before: int, rss_after: int) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)

        def pct(q: float) -> float | None:
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else None

        held = max(1, self.connected)
        return {
            "requested": self.requested,
            "held": self.connected,
            "refused": self.refused,
            "connect_seconds": round(self.connect_seconds, 2),
            "delivered": len(ordered),
            "delivery_p50_ms": pct(0.5),
            "delivery_p99_ms": pct(0.99),
            "delivery_max_ms": round(ordered[-1], 1) if ordered else None,
            "rss_before_bytes": rss_before,
            "rss_after_bytes": rss_after,
            "bytes_per_stream": round((rss_after - rss_before) / held),
        }


async def _open(port: int, token: str) -> _Stream | str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /api/v1/streaming/home HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b" ", 2)[1].decode()
    if status != "200":
        writer.close()
        return status
    stream = _Stream(reader, writer)
    while b": connected" not in stream.buffer:
        stream.buffer += await reader.read(4096)
    return stream


async def _wait_for(stream: _Stream, marker: bytes) -> None:
    while marker not in stream.buffer:
        chunk = await stream.reader.read(65536)
        if not chunk:
            return
        stream.buffer = stream.buffer[-len(marker) :] + chunk
    stream.received_at = time.monotonic()


async def _run(
    port: int,
    tokens: list[str],
    post: Callable[[], Awaitable[str]],
    settle: Callable[[], Awaitable[None]],
    timeout: float,
) -> StreamsResult:
    result = StreamsResult(requested=len(tokens))
    streams: list[_Stream] = []
    started = time.monotonic()
    for start in range(0, len(tokens), CONNECT_BATCH):
        opened = await asyncio.gather(*(_open(port, token) for token in tokens[start : start + CONNECT_BATCH]))
        for outcome in opened:
            if isinstance(outcome, str):
                result.refused[outcome] = result.refused.get(outcome, 0) + 1
            else:
                streams.append(outcome)
    result.connect_seconds = time.monotonic() - started
    result.connected = len(streams)
    await settle()
    for stream in streams:
        stream.buffer = b""
    posted_at = time.monotonic()
    tweet_id = await post()
    marker = f"id: {tweet_id}\n".encode()
    waits = [asyncio.create_task(_wait_for(stream, marker)) for stream in streams]
    await asyncio.wait(waits, timeout=timeout)
    result.latencies_ms = [
        (stream.received_at - posted_at) * 1000 for stream in streams if stream.received_at is not None
    ]
    for task in waits:
        task.cancel()
    for stream in streams:
        stream.writer.close()
    return result


def hold_streams(
    port: int,
    tokens: list[str],
    post: Callable[[], str],
    settle: Callable[[], None],
    timeout: float = 60.0,
) -> StreamsResult:
    """Open a stream per token, call `settle()` (measure memory), `post()` a tweet whose
    id every stream should receive, and time its arrival on each."""

    async def post_async() -> str:
        return await asyncio.to_thread(post)

    async def settle_async() -> None:
        await asyncio.to_thread(settle)

    return asyncio.run(_run(port, tokens, post_async, settle_async, timeout))
