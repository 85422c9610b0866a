"""The platform's own Prometheus metrics, all named here: what says whether fan-out keeps
up, how timelines are served, what the limits and breakers refuse. (django-prometheus adds
the generic request and database series.)

Several processes per role: with PROMETHEUS_MULTIPROC_DIR set (a directory per role,
emptied when the role starts: `make run`, the Docker entrypoint, the Kubernetes pods),
every granian worker and Celery pool process writes its samples there and a scrape of any
of them adds them up (prometheus_client's multiprocess mode). Without it, each process
counts for itself. What lives in the database or the broker (the outbox, dead letters,
queue depths, the replica's lag) is read when the worker's exporter is scraped
(twitter.worker_metrics).
"""

import atexit
import os

from prometheus_client import Counter, Gauge, Histogram

# Delivery: from a tweet's creation (its id's time) until a part of its fan-out has put it
# in the home lists of that part's followers (the last part: the whole audience).
FANOUT_LAG = Histogram(
    "twitter_fanout_delivery_lag_seconds",
    "Time from a tweet's creation to its entry in its followers' home timelines, per fan-out part",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
)
FANOUT_ENTRIES = Counter("twitter_fanout_entries_total", "Home timeline entries written by the fan-out")

TASK_DURATION = Histogram(
    "twitter_task_duration_seconds",
    "Celery task run time, by task and how it ended",
    ["task", "state"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
TASK_RETRIES = Counter("twitter_task_retries_total", "Celery task runs that ended in a retry", ["task"])
TASK_FAILURES = Counter(
    "twitter_task_failures_total", "Celery tasks that failed for good (each leaves a dead letter)", ["task"]
)

# Timeline pages by how they were served: `cache` (Redis alone), `rebuilt` (built from the
# database first, then Redis), `cache_then_database` (past the cached entries),
# `database` (Redis down, or a timeline that could not be built).
TIMELINE_READS = Counter(
    "twitter_timeline_reads_total", "Timeline pages, by how they were served", ["timeline", "source"]
)
TIMELINE_REBUILDS = Counter(
    "twitter_timeline_rebuilds_total", "Timelines rebuilt from the database after a cache miss", ["timeline"]
)

RATE_LIMITED = Counter("twitter_rate_limited_total", "Requests refused by a rate limit, by bucket", ["bucket"])

BREAKER_TRIPS = Counter("twitter_breaker_trips_total", "Circuit breakers opening (closed to open)", ["breaker"])
BREAKER_OPEN = Gauge(
    "twitter_breaker_open",
    "1 while a circuit breaker is open in some process of this role",
    ["breaker"],
    multiprocess_mode="livemax",
)

OPEN_STREAMS = Gauge(
    "twitter_open_streams", "Live streams open (Server-Sent Events and WebSocket)", multiprocess_mode="livesum"
)


def _forget_this_process() -> None:
    """A process that ends leaves its live gauges behind in the multiprocess directory:
    they stop counting (counters and histograms stay, as they should)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(os.getpid())


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    atexit.register(_forget_this_process)
