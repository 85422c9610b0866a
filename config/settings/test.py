"""Tests: the write role by default; fixtures switch a client to the read role."""

from config.secrets import new_key
from config.settings.base import *  # noqa: F403
from config.settings.base import JWT_SIGNING_KEY, SECRET_KEY, SIMPLE_JWT, WRITE_MIDDLEWARE

# Keys of this run only (make test makes them and passes them to every process it starts);
# a run without them makes its own, so no key a test signs with is ever written down.
SECRET_KEY = SECRET_KEY or new_key()
JWT_SIGNING_KEY = JWT_SIGNING_KEY or new_key()
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY}

# Limits a hundred times the production ones, so ordinary tests are never throttled while
# every request still goes through the counting; rate-limit tests set their own rates.
RATE_LIMIT_SCALE = 100.0

MIDDLEWARE = WRITE_MIDDLEWARE
