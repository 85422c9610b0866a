"""read-API: every GET/HEAD, from Redis and the replica; never writes to the primary."""

from config.secrets import require_keys
from config.settings.base import *  # noqa: F403
from config.settings.base import JWT_SIGNING_KEY, MIDDLEWARE, SECRET_KEY, SILENCED_SYSTEM_CHECKS

SERVICE_ROLE = "read-api"
ROOT_URLCONF = "config.urls_read"
MASTODON_URLCONF = "config.urls_mastodon_read"
DATABASE_ROUTERS = ["twitter.db.router.ReadReplicaRouter"]
# No sessions, CSRF or Django auth middleware: the read-API is JWT-only and stateless.
# The home timeline's hot path answers after the middleware that shape every response
# (request id, metrics totals, security headers, length) and before the rest.
_UNUSED = {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
}
_AFTER_HOT_PATH = {
    "twitter.middleware.ContentSecurityPolicyMiddleware",  # HTML pages only
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
}
MIDDLEWARE = [
    "twitter.db.guards.ReadApiDatabaseMiddleware",
    *(m for m in MIDDLEWARE if m not in _UNUSED | _AFTER_HOT_PATH),
    "apps.timelines.api.hot_path.HomeTimelineHotPathMiddleware",
    "apps.mastodon.hot_path.MastodonHomeHotPathMiddleware",
    *(m for m in MIDDLEWARE if m in _AFTER_HOT_PATH),
]

# The admin lives on the write-API; its middleware checks do not apply here.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "admin.E408", "admin.E409", "admin.E410"]

require_keys(SECRET_KEY=SECRET_KEY, JWT_SIGNING_KEY=JWT_SIGNING_KEY)
