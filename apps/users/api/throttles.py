"""Login and registration throttles, counted in Redis (the default cache)."""

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView


class _RateFromSettings:
    """Reads the rate when asked, not at import, so a settings change takes effect."""

    scope: str

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate is None else str(rate)


class LoginRateThrottle(_RateFromSettings, AnonRateThrottle):
    """Per client IP."""

    scope = "login"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(_RateFromSettings, SimpleRateThrottle):
    """Per account tried, so one account cannot be guessed at from many addresses."""

    scope = "login_username"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data: Any = request.data
        if not isinstance(data, dict):
            return None
        login = data.get("username") or data.get("email")
        if not isinstance(login, str) or not login.strip():
            return None
        return self.cache_format % {"scope": self.scope, "ident": login.strip().lower()[:254]}


class RegisterRateThrottle(LoginRateThrottle):
    scope = "register"
