"""Tests: the write role by default; fixtures switch a client to the read role."""

from config.settings.base import *  # noqa: F403
from config.settings.base import REST_FRAMEWORK

# Rates high enough that ordinary tests are not throttled; throttle tests set their own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"login": "1000/min", "login_username": "1000/min", "register": "1000/min"},
}
