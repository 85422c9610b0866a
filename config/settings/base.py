"""Settings shared by every role. Every value that varies comes from the environment.

Role modules (write, read, worker, test) override only URLs, routers and middleware.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, env

# --- Core ---------------------------------------------------------------------------

# Both keys come from the environment, with no default: every non-test role refuses to
# start without good ones (config/secrets.py). `make run` makes them on first run.
SECRET_KEY = env.str("SECRET_KEY", default="")
# Signs the API's access and refresh tokens; separate, so either can be rotated alone.
JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The gateway is the only way in; it sets X-Forwarded-Proto for TLS offload.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)

# Deployed behind a TLS-terminating proxy: HTTPS-only cookies, HSTS and redirects to
# HTTPS (health and metrics stay reachable over plain HTTP for probes and scrapers).
# `manage.py check --deploy` passes with no warnings when this is on.
TLS = env.bool("TLS", default=False)
SECURE_SSL_REDIRECT = TLS
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=TLS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=TLS)
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "twitter.api.errors.csrf_failure"

# Which process this is: "write-api", "read-api" or "worker". Sent as X-Served-By.
SERVICE_ROLE = "write-api"

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / ".data")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "twitter.apps.TwitterConfig",
    "apps.users.apps.UsersConfig",
    "apps.follows.apps.FollowsConfig",
    "apps.tweets.apps.TweetsConfig",
    "apps.timelines.apps.TimelinesConfig",
    "apps.notifications.apps.NotificationsConfig",
    "apps.streaming.apps.StreamingConfig",
    "django_elasticsearch_dsl",
    "apps.search.apps.SearchConfig",
    "apps.media.apps.MediaConfig",
    "apps.messages.apps.MessagesConfig",
    "apps.devtools.apps.DevtoolsConfig",
    "oauth2_provider",
    "apps.mastodon.apps.MastodonConfig",
]

MIDDLEWARE = [
    "apps.mastodon.middleware.MastodonOriginMiddleware",
    "twitter.middleware.RequestIdMiddleware",
    "twitter.middleware.ServedByMiddleware",
    "twitter.api.methods.MethodsAcrossRolesMiddleware",
    "twitter.api.admission.AdmissionMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "twitter.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# The write-API's: right after admission (rate limits), a write while the primary is down
# is refused at once; then a write sent with an Idempotency-Key is carried out once.
_ADMISSION = MIDDLEWARE.index("twitter.api.admission.AdmissionMiddleware")
WRITE_MIDDLEWARE = [
    *MIDDLEWARE[: _ADMISSION + 1],
    "twitter.db.guards.PrimaryBreakerMiddleware",
    "twitter.api.idempotency.IdempotencyMiddleware",
    *MIDDLEWARE[_ADMISSION + 1 :],
]

ROOT_URLCONF = "config.urls_write"
# Each origin's (read-API, write-API) URLs: a route's methods are both halves' (twitter.api.methods).
API_URLCONF_PAIRS = [
    ("config.urls_read", "config.urls_write"),
    ("config.urls_mastodon_read", "config.urls_mastodon_write"),
]
# The URLs of requests the gateway marks as arriving at the Mastodon-compatible origin.
MASTODON_URLCONF = "config.urls_mastodon_write"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Databases: primary ("default") and read replica ("replica") ----------------------

DB_POOL_MIN_SIZE = env.int("DB_POOL_MIN_SIZE", default=1)
# After the primary failed a write, how long the write-API refuses writes (503) before one
# request probes it again.
PRIMARY_BREAKER_COOLDOWN = env.float("PRIMARY_BREAKER_COOLDOWN", default=2.0)
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=8)
# How long a request may wait for the replica before the breaker sends it to the primary.
REPLICA_TIMEOUT = env.float("REPLICA_TIMEOUT", default=0.5)
# How long the breaker stays open before one request probes the replica again.
REPLICA_BREAKER_COOLDOWN = env.float("REPLICA_BREAKER_COOLDOWN", default=5.0)
# A user who wrote within this many seconds reads their own data from the primary.
READ_YOUR_WRITES_SECONDS = env.float("READ_YOUR_WRITES_SECONDS", default=2.0)
# Rows whose snowflake is younger than this may not be on the replica yet.
REPLICA_LAG_GRACE_SECONDS = env.float("REPLICA_LAG_GRACE_SECONDS", default=10.0)


# Through PgBouncer in transaction mode, a client's next transaction may run on another
# server connection, shared with other clients: nothing may outlive a transaction. Django
# binds parameters on the client (nothing is prepared); this also turns off psycopg's
# server-side preparation and Django's server-side cursors. Session-level work (the
# worker-id lease's advisory lock, which two processes on one server session would both
# get) needs a session of its own: DATABASE_SESSION_URL, the primary itself or PgBouncer
# in session mode.
DB_PGBOUNCER = env.bool("DB_PGBOUNCER", default=False)
DATABASE_SESSION_URL = env.str("DATABASE_SESSION_URL", default="")
if DB_PGBOUNCER and not DATABASE_SESSION_URL:
    raise ImproperlyConfigured("DB_PGBOUNCER=true needs DATABASE_SESSION_URL (a session-mode connection)")


def _database(url: str, *, pool_timeout: float, connect_timeout: int) -> dict[str, Any]:
    config: dict[str, Any] = env.db_url_config(url)
    config["ENGINE"] = "django.db.backends.postgresql"
    config["CONN_MAX_AGE"] = 0  # the psycopg pool keeps connections; Django must not
    config["CONN_HEALTH_CHECKS"] = True
    config["OPTIONS"] = {
        **config.get("OPTIONS", {}),  # from the URL's query: sslmode, host (a socket dir), ...
        "connect_timeout": connect_timeout,
        "application_name": env.str("DB_APPLICATION_NAME", default="twitter"),
        "pool": {
            "min_size": DB_POOL_MIN_SIZE,
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": pool_timeout,
        },
    }
    if DB_PGBOUNCER:
        config["OPTIONS"]["prepare_threshold"] = None
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


DATABASE_URL = env.str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/twitter")
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="") or DATABASE_URL
# Several streaming replicas (comma-separated): reads spread over them, each behind a
# breaker of its own (twitter.db.routing). Unset: REPLICA_DATABASE_URL alone.
REPLICA_DATABASE_URLS = env.list("REPLICA_DATABASE_URLS", default=[]) or [REPLICA_DATABASE_URL]
# Their database aliases: "replica", then "replica2", "replica3", ...
REPLICA_ALIASES = ["replica", *(f"replica{n}" for n in range(2, len(REPLICA_DATABASE_URLS) + 1))]

DATABASES = {
    # A short wait for a primary connection: when the primary is down, the first writes
    # fail within about a second (then the write-API's breaker answers at once).
    "default": _database(DATABASE_URL, pool_timeout=env.float("DB_POOL_TIMEOUT", default=1.0), connect_timeout=3),
    **{
        alias: _database(url, pool_timeout=REPLICA_TIMEOUT, connect_timeout=max(1, int(REPLICA_TIMEOUT)))
        for alias, url in zip(REPLICA_ALIASES, REPLICA_DATABASE_URLS, strict=True)
    },
}
# The replicas hold the primary's databases, so in tests they mirror the test database.
for _alias in REPLICA_ALIASES:
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS: list[str] = []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, throttles, timelines -------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
# With REDIS_CLUSTER, REDIS_URL names any node of a Redis Cluster, which then holds every
# piece of application data (timelines, tweet cache, flags, rate limits, locks, trends,
# stream fan-in); the Celery broker stays on CELERY_BROKER_URL (see twitter.redis).
REDIS_CLUSTER = env.bool("REDIS_CLUSTER", default=False)

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cache",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            # Redis down must not turn a request into a 500: throttles fail open.
            "IGNORE_EXCEPTIONS": True,
            # On a cluster, a client that routes by key slot (twitter.redis.connect).
            **({"CONNECTION_FACTORY": "twitter.cache_backend.ClusterConnectionFactory"} if REDIS_CLUSTER else {}),
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- Celery (broker: Redis) -----------------------------------------------------------

# The worker's Prometheus metrics (twitter.worker_metrics), on a port of its own; 0: none.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
WORKER_METRICS_HOST = env.str("WORKER_METRICS_HOST", default="127.0.0.1")

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=20)
# How often a worker renews the delivery of the tasks it holds: well within the timeout.
TASK_LEASE_RENEW_SECONDS = env.float("TASK_LEASE_RENEW_SECONDS", default=4.0)
if not 0 < TASK_LEASE_RENEW_SECONDS <= CELERY_VISIBILITY_TIMEOUT / 3:
    raise ImproperlyConfigured(
        "TASK_LEASE_RENEW_SECONDS must be above 0 and at most a third of CELERY_VISIBILITY_TIMEOUT"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task not acknowledged within this time of its delivery or of its worker's last
    # lease renewal (the worker died) is delivered again; workers look for such tasks
    # every CELERY_UNACKED_RESTORE_INTERVAL seconds (twitter.task_leases).
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=2),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    # Without it a publish on a dead connection waits forever (and so would a request).
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Fan-out has a queue of its own: a worker started without -Q consumes both, and a
# deployment can give fan-out workers of their own (`-Q fanout`, their own concurrency).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES: dict[str, dict[str, str]] = {"celery": {}, "fanout": {}}
CELERY_TASK_ROUTES = {
    task: {"queue": "fanout"}
    for task in (
        "apps.timelines.tasks.tweet_created_task",
        "apps.timelines.tasks.tweet_deleted_task",
        "apps.timelines.tasks.fan_out_part_task",
    )
}
# Celery's Django fix-up closes every database connection after each task and, under the
# prefork pool, the whole connection pool with it: two new Postgres sessions per task.
# Reused this many tasks over instead; `twitter.task_base` hands connections back to the
# pool after each task and drops broken ones, as Django does after each request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = env.float("HEARTBEAT_INTERVAL_SECONDS", default=30.0)
# After a failed send, how long web processes leave the broker alone (events wait in the outbox).
BROKER_BREAKER_COOLDOWN = env.float("BROKER_BREAKER_COOLDOWN", default=5.0)
# Who sends committed events to the broker: "worker" (a relay thread in each Celery worker,
# woken after each commit, sending in batches) or "inline" (the request that committed).
OUTBOX_RELAY = env.str("OUTBOX_RELAY", default="worker")
if OUTBOX_RELAY not in ("worker", "inline"):
    raise ImproperlyConfigured(f"OUTBOX_RELAY must be 'worker' or 'inline', not {OUTBOX_RELAY!r}")
# How many events the relay sends per batch, and how long it sleeps when nothing wakes it.
OUTBOX_RELAY_BATCH = env.int("OUTBOX_RELAY_BATCH", default=500)
OUTBOX_RELAY_IDLE_SECONDS = env.float("OUTBOX_RELAY_IDLE_SECONDS", default=1.0)
# Events one consumer gets in one message when several are pending (one task run for all).
OUTBOX_DELIVERY_BATCH = env.int("OUTBOX_DELIVERY_BATCH", default=20)
OUTBOX_SWEEP_INTERVAL_SECONDS = env.float("OUTBOX_SWEEP_INTERVAL_SECONDS", default=10.0)
# Events younger than this are left to the after-commit relay.
OUTBOX_SWEEP_AGE_SECONDS = env.float("OUTBOX_SWEEP_AGE_SECONDS", default=5.0)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)
# How long the answer to a write sent with an Idempotency-Key is kept for its retries.
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
# A published event some consumer has not confirmed this long after is sent to it again
# (the broker or a worker lost it), at most OUTBOX_MAX_ATTEMPTS times, then dead-lettered.
OUTBOX_CONFIRM_SECONDS = env.float("OUTBOX_CONFIRM_SECONDS", default=120.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "twitter.tasks.heartbeat_task", "schedule": HEARTBEAT_INTERVAL_SECONDS},
    "outbox-sweep": {"task": "twitter.tasks.outbox_sweep_task", "schedule": OUTBOX_SWEEP_INTERVAL_SECONDS},
    "outbox-prune": {"task": "twitter.tasks.outbox_prune_task", "schedule": 3600.0},
    "idempotency-prune": {"task": "twitter.tasks.idempotency_prune_task", "schedule": 3600.0},
    "celebrities-sync": {"task": "apps.timelines.tasks.celebrities_sync_task", "schedule": 300.0},
    "media-expire": {"task": "apps.media.tasks.media_expire_task", "schedule": 3600.0},
}

# --- Timelines ---------------------------------------------------------------------

TIMELINE_MAX_LENGTH = env.int("TIMELINE_MAX_LENGTH", default=800)
# Followers who have not read their home timeline for this long get no pushes; their
# timeline is rebuilt when they come back (their cached list expires).
TIMELINE_ACTIVE_DAYS = env.float("TIMELINE_ACTIVE_DAYS", default=14.0)
# Authors with at least this many followers are merged at read time, not fanned out.
CELEBRITY_FOLLOWERS = env.int("CELEBRITY_FOLLOWERS", default=10_000)
# Follower lists one Redis call updates during a fan-out.
FANOUT_BATCH_SIZE = env.int("FANOUT_BATCH_SIZE", default=1000)
# Followers one fan-out task delivers to; a bigger audience is split into chunks that
# several worker processes deliver at once.
FANOUT_CHUNK_SIZE = env.int("FANOUT_CHUNK_SIZE", default=5000)
TWEET_CACHE_SECONDS = env.int("TWEET_CACHE_SECONDS", default=7 * 86400)

# --- Hashtags, notifications, streaming
TRENDING_MAX_HOURS = env.int("TRENDING_MAX_HOURS", default=24)
TRENDING_CACHE_SECONDS = env.int("TRENDING_CACHE_SECONDS", default=60)
STREAMING_HEARTBEAT_SECONDS = env.float("STREAMING_HEARTBEAT_SECONDS", default=15.0)
# Streams one account may hold open at once (more is a 429).
STREAMS_PER_ACCOUNT = env.int("STREAMS_PER_ACCOUNT", default=8)
# How long a user's who-to-follow list is kept before it is computed again (the worker
# also computes it again after each of their follows, blocks and mutes).
SUGGESTIONS_CACHE_SECONDS = env.int("SUGGESTIONS_CACHE_SECONDS", default=6 * 3600)
# Direct messages: the most participants a conversation may have (its creator included).
DM_GROUP_MAX_PARTICIPANTS = env.int("DM_GROUP_MAX_PARTICIPANTS", default=20)
# How long a presigned URL of a direct message's media stays valid (S3 storage).
DM_MEDIA_URL_SECONDS = env.int("DM_MEDIA_URL_SECONDS", default=300)
# Redis connections a streaming process uses for its streams' bookkeeping (plus one pub/sub).
STREAMING_REDIS_CONNECTIONS = env.int("STREAMING_REDIS_CONNECTIONS", default=4)
# Threads a streaming process renders events on (at most as many database connections as
# its pool holds: DB_POOL_MAX_SIZE).
STREAMING_RENDER_THREADS = env.int("STREAMING_RENDER_THREADS", default=8)
REBUILD_LOCK_MS = env.int("REBUILD_LOCK_MS", default=5000)

# --- Search ------------------------------------------------------------------------

# Elasticsearch when set (e.g. http://127.0.0.1:9200); otherwise Postgres full-text search.
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
# Seconds a search may take on the cluster before it counts as failed.
SEARCH_TIMEOUT = env.float("SEARCH_TIMEOUT", default=1.0)
# After a failure, how long searches skip the cluster before one probes it again.
SEARCH_BREAKER_COOLDOWN = env.float("SEARCH_BREAKER_COOLDOWN", default=10.0)
# When the cluster fails: "postgres" answers from the Postgres backend, "unavailable" is a 503.
SEARCH_FALLBACK = env.str("SEARCH_FALLBACK", default="postgres")
if SEARCH_FALLBACK not in ("postgres", "unavailable"):
    raise ImproperlyConfigured(f"SEARCH_FALLBACK must be 'postgres' or 'unavailable', not {SEARCH_FALLBACK!r}")
SEARCH_INDEX_PREFIX = env.str("SEARCH_INDEX_PREFIX", default="twitter")
SEARCH_INDEX_REPLICAS = env.int("SEARCH_INDEX_REPLICAS", default=0)
# Index writes wait until they are searchable (tests); production leaves it to the refresh interval.
SEARCH_REFRESH_ON_WRITE = env.bool("SEARCH_REFRESH_ON_WRITE", default=False)
# Relevance pages go this deep; past it, narrow the query (deep offsets are slow on every backend).
SEARCH_MAX_OFFSET = env.int("SEARCH_MAX_OFFSET", default=1000)
ELASTICSEARCH_DSL: dict[str, Any] = (
    {"default": {"hosts": [ELASTICSEARCH_URL], "request_timeout": SEARCH_TIMEOUT, "max_retries": 0}}
    if ELASTICSEARCH_URL
    else {}
)
# No indexing on model save: the worker indexes from outbox events.
ELASTICSEARCH_DSL_AUTOSYNC = False
ELASTICSEARCH_DSL_SIGNAL_PROCESSOR = "django_elasticsearch_dsl.signals.BaseSignalProcessor"

# --- Media ---------------------------------------------------------------------------

# S3 (or any S3-compatible store) when a bucket is set; else files under MEDIA_ROOT.
S3_BUCKET = env.str("S3_BUCKET", default="")
MEDIA_STORAGE = "s3" if S3_BUCKET else "local"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(DATA_DIR / "media"))
# Public base URL of media (a CDN in front of the bucket). Local storage defaults to the
# read-API's /media/ (through the gateway); S3 defaults to the bucket's own URLs.
MEDIA_URL_BASE = env.str("MEDIA_URL_BASE", default="" if S3_BUCKET else "/media/")
MEDIA_MAX_BYTES = env.int("MEDIA_MAX_BYTES", default=8 * 1024 * 1024)
MEDIA_MAX_DIMENSION = env.int("MEDIA_MAX_DIMENSION", default=8192)
# How long a presigned upload URL stays valid.
MEDIA_UPLOAD_SECONDS = env.int("MEDIA_UPLOAD_SECONDS", default=900)
# Media never attached to a tweet or profile within this time are deleted.
MEDIA_UNATTACHED_TTL_SECONDS = env.int("MEDIA_UNATTACHED_TTL_SECONDS", default=24 * 3600)
_S3_OPTIONS = {
    "bucket_name": S3_BUCKET,
    "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
    "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
    "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
    "region_name": env.str("S3_REGION", default="us-east-1"),
    "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
    "querystring_auth": False,  # media are public: plain URLs, cacheable by a CDN
    "file_overwrite": False,
}
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "media": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _S3_OPTIONS}
        if S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}}
    ),
}

# --- Identity ----------------------------------------------------------------------

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["apps.users.backends.UsernameOrEmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Snowflake worker id: leased from Postgres per process unless pinned here.
SNOWFLAKE_WORKER_ID = env.int("SNOWFLAKE_WORKER_ID", default=None)

# --- REST API -----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "twitter.api.auth.StatelessTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["twitter.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "twitter.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "twitter.api.schema.AutoSchema",
    "NUM_PROXIES": env.int("NUM_PROXIES", default=1),
}

# --- Rate limits (twitter/api/admission.py; README "Rate limits") ------------------------
# Every request counts against its account (signed in) or its IP (anonymous); the rules
# below add tighter buckets. Rates are "requests/seconds"; each can be set with
# RATE_LIMIT_<BUCKET> (e.g. RATE_LIMIT_POST=100/3600). For local development,
# RATE_LIMIT_SCALE multiplies every limit and RATE_LIMITS_ENABLED=false turns them off.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
RATE_LIMIT_SCALE = env.float("RATE_LIMIT_SCALE", default=1.0)
_DEFAULT_RATES = {
    "account": "300/300",  # any request of a signed-in account (Mastodon: 300 / 5 min)
    "anonymous": "300/300",  # any request without a valid token, per IP
    "post": "300/10800",  # tweets, per account (Mastodon: 300 statuses / 3 h)
    "media": "30/1800",  # uploads, per account (Mastodon: 30 / 30 min)
    "delete": "30/1800",  # deleting tweets and retweets, per account (Mastodon: 30 / 30 min)
    "follow": "400/86400",  # follows, per account (Mastodon: 400 / day)
    "message": "500/86400",  # direct messages sent, per account
    "conversation": "100/86400",  # conversations started, per account
    "register": "5/1800",  # new accounts, per IP (Mastodon: 5 / 30 min)
    "login": "25/300",  # sign-in attempts, per IP (Mastodon: 25 / 5 min)
    "login_account": "5/300",  # per IP and account: someone else's failures never lock you out
    "refresh": "60/300",  # token refreshes, per IP: a bucket of their own
    "app": "25/300",  # client apps registered (Mastodon-compatible API), per IP: once per install
    "admin_login": "10/300",  # Django admin sign-in, per IP
    "admin_login_account": "5/900",  # and per IP and account
}
RATE_LIMITS = {name: env.str(f"RATE_LIMIT_{name.upper()}", default=rate) for name, rate in _DEFAULT_RATES.items()}
# (methods, path regex, bucket, kept per: "user" | "ip" | "ip+login")
RATE_LIMIT_RULES = [
    ("POST", r"^/api/v1/tweets$", "post", "user"),
    ("POST", r"^/api/v1/media$", "media", "user"),
    ("DELETE", r"^/api/v1/tweets/[0-9]+(/retweet)?$", "delete", "user"),
    ("POST", r"^/api/v1/users/[0-9]+/follow$", "follow", "user"),
    ("POST", r"^/api/v1/conversations/[0-9]+/messages$", "message", "user"),
    ("POST", r"^/api/v1/conversations$", "conversation", "user"),
    ("POST", r"^/api/v1/auth/register$", "register", "ip"),
    ("POST", r"^/api/v1/auth/token$", "login", "ip"),
    ("POST", r"^/api/v1/auth/token$", "login_account", "ip+login"),
    ("POST", r"^/api/v1/auth/token/refresh$", "refresh", "ip"),
    ("POST", r"^/admin/login/$", "admin_login", "ip"),
    ("POST", r"^/admin/login/$", "admin_login_account", "ip+login"),
    # The Mastodon-compatible origin's paths (apps.mastodon), in the same buckets.
    ("POST", r"^/api/v1/statuses$", "post", "user"),
    ("POST", r"^/api/v[12]/media$", "media", "user"),
    ("DELETE", r"^/api/v1/statuses/[0-9]+$", "delete", "user"),
    ("POST", r"^/api/v1/statuses/[0-9]+/unreblog$", "delete", "user"),
    ("POST", r"^/api/v1/accounts/[0-9]+/follow$", "follow", "user"),
    ("POST", r"^/api/v1/accounts$", "register", "ip"),
    ("POST", r"^/api/v1/apps$", "app", "ip"),
    ("POST", r"^/auth/sign_in$", "login", "ip"),
    ("POST", r"^/auth/sign_in$", "login_account", "ip+login"),
    ("POST", r"^/oauth/token$", "refresh", "ip"),
]

# How often each process looks for sessions revoked elsewhere (logout, refresh-token reuse,
# suspension): their access tokens stop working everywhere within this.
REVOCATION_POLL_SECONDS = env.float("REVOCATION_POLL_SECONDS", default=1.0)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_ACCESS_SECONDS", default=300)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- The Mastodon-compatible API (apps.mastodon; README "Mastodon clients") ---------------
# Its users' access tokens live this long (Mastodon's never expire; revoking one ends it
# everywhere within REVOCATION_POLL_SECONDS). App tokens and authorization codes live in
# the database; tokens are stored as checksums only.
OAUTH_ACCESS_TOKEN_SECONDS = env.int("OAUTH_ACCESS_TOKEN_SECONDS", default=365 * 24 * 3600)
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "apps.mastodon.scopes.Backend",
    "OAUTH2_VALIDATOR_CLASS": "apps.mastodon.oauth.Validator",
    "ACCESS_TOKEN_GENERATOR": "apps.mastodon.oauth.access_token",
    "REFRESH_TOKEN_GENERATOR": "oauthlib.oauth2.rfc6749.tokens.random_token_generator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": OAUTH_ACCESS_TOKEN_SECONDS,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "PKCE_REQUIRED": False,  # Mastodon's clients send a challenge or not; one sent is checked
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "urn"],
    # RFC 9700 (the OAuth security BCP): tokens stored as checksums only; no implicit or
    # password grant, no "plain" PKCE, no tokens in query strings; a rotated refresh
    # token used again ends its whole family.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "force",
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
LOGIN_URL = "/auth/sign_in"
# How long a process keeps an author's account (counts included) for statuses it shows.
MASTODON_ACCOUNT_CACHE_SECONDS = env.float("MASTODON_ACCOUNT_CACHE_SECONDS", default=5.0)
# How long the signed link to a direct message's image that a Mastodon app gets is good.
MASTODON_DM_MEDIA_URL_SECONDS = env.int("MASTODON_DM_MEDIA_URL_SECONDS", default=3600)
INSTANCE_TITLE = env.str("INSTANCE_TITLE", default="twitter")
INSTANCE_DESCRIPTION = env.str("INSTANCE_DESCRIPTION", default="A microblogging platform anyone can run.")
INSTANCE_CONTACT_EMAIL = env.str("INSTANCE_CONTACT_EMAIL", default="")

SPECTACULAR_SETTINGS = {
    "TITLE": "twitter API",
    "DESCRIPTION": (
        "Microblogging platform. One API behind one gateway: GET/HEAD are answered by the read-API, "
        "other methods by the write-API, /api/v1/streaming/ by the streaming process. Errors have one "
        'shape: {"error": {"code", "message", "fields"}}. Sign in with POST /api/v1/auth/token, then '
        "Authorize with the access token."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "twitter.api.schema.add_streaming"],
    # Snowflake ids in paths: strings of digits (twitter.api.converters).
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "string", "pattern": "^[0-9]{1,19}$"}},
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    # Both APIs' token authentications are one scheme to a client: declared once here
    # rather than per authentication class (operations open to all also list "no token").
    "AUTHENTICATION_WHITELIST": [],
    "SECURITY": [{"bearerAuth": []}],
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "An access token from POST /api/v1/auth/token.",
            }
        }
    },
}

# --- Static files (admin and API docs assets) ------------------------------------------

STATIC_URL = "static/"
# Set where `collectstatic` ran (the image does); otherwise assets come from the apps.
STATIC_ROOT = env.str("STATIC_ROOT", default=None)
WHITENOISE_USE_FINDERS = True

# --- Internationalisation -----------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging ------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# `json`: one JSON object per line (what a log pipeline reads); `console`: readable lines.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
# One line per request (method, route, status, duration) at INFO.
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"()": "twitter.logging.formatter", "fmt": LOG_FORMAT},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}, "django.server": {"level": "WARNING"}},
}

SILENCED_SYSTEM_CHECKS = [
    # Usernames are unique case-insensitively by a functional constraint (users.User.Meta),
    # which the system check cannot see.
    "auth.W004",
    # Mastodon's clients (Mastodon.py, toot and most apps) send no PKCE challenge, and
    # native apps redirect to http://127.0.0.1 (RFC 8252): both stay allowed, as Mastodon
    # allows them. A challenge that is sent is checked (S256 only).
    "oauth2_provider.W008",
    "oauth2_provider.W010",
]
