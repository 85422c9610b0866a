"""write-API: every mutation, auth and the Django admin, against the primary."""

from config.secrets import require_keys
from config.settings.base import *  # noqa: F403
from config.settings.base import JWT_SIGNING_KEY, MIDDLEWARE, SECRET_KEY

SERVICE_ROLE = "write-api"
ROOT_URLCONF = "config.urls_write"

# Right after admission (rate limits): a write while the primary is down is refused at once.
_ADMISSION = MIDDLEWARE.index("twitter.api.admission.AdmissionMiddleware")
MIDDLEWARE = [
    *MIDDLEWARE[: _ADMISSION + 1],
    "twitter.db.guards.PrimaryBreakerMiddleware",
    *MIDDLEWARE[_ADMISSION + 1 :],
]

require_keys(SECRET_KEY=SECRET_KEY, JWT_SIGNING_KEY=JWT_SIGNING_KEY)
