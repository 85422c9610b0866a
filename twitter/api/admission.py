"""Admission: who is asking, and may they ask now. The first middleware after the request
id in both APIs.

For every request (but health, metrics, static and media files) it
1. reads the bearer token, if any, and verifies it (`twitter.api.auth`; once per process
   per token), putting the result on `request.access`;
2. checks that the token's session was not revoked (logout, refresh-token reuse) and its
   user not suspended since it was issued (`twitter.api.revocations`: no Redis call), and
   counts the request in its rate-limit buckets (settings.RATE_LIMITS / RATE_LIMIT_RULES):
   the general one in process, flushed to Redis in the background; the tight ones
   (logins, posting, ...) exactly, in one Redis call;
3. answers 401 for a revoked token and 429 past a limit, in the error envelope, or lets
   the request through. Every counted response carries X-RateLimit-Limit,
   X-RateLimit-Remaining and X-RateLimit-Reset (Unix time) of its tightest bucket; a 429
   adds Retry-After.

An invalid token is not refused here: the request counts as anonymous (per IP) and the
view's authentication answers it. With Redis down, counts stay per process and the tight
buckets go uncounted (fail open; the write-API still checks the user row).
"""

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import ParseError

from twitter import metrics, ratelimit
from twitter.api.auth import Access, bearer_token, is_revoked, verified_access
from twitter.api.errors import error_response
from twitter.api.parsers import parse_json
from twitter.redis import redis_errors
from twitter.text import normalize_login

logger = logging.getLogger(__name__)

_EXEMPT = re.compile(r"^/(health/|metrics$|static/|media/)")


@dataclass(frozen=True)
class Rule:
    methods: frozenset[str]
    path: re.Pattern[str]
    bucket: str
    key: str  # "user", "ip" or "ip+login"


def _rules() -> tuple[dict[str, ratelimit.Rate], list[Rule]]:
    scale = settings.RATE_LIMIT_SCALE
    rates = {name: ratelimit.Rate.parse(text, scale=scale) for name, text in settings.RATE_LIMITS.items()}
    rules = [
        Rule(frozenset(methods.split()), re.compile(path), bucket, key)
        for methods, path, bucket, key in settings.RATE_LIMIT_RULES
    ]
    unknown = {rule.bucket for rule in rules} - set(rates)
    if unknown:
        raise ValueError(f"RATE_LIMIT_RULES name buckets with no rate: {sorted(unknown)}")
    return rates, rules


def client_ip(request: HttpRequest) -> str:
    """The client's address as the gateway saw it (X-Forwarded-For behind NUM_PROXIES)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    if forwarded and proxies:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))] or str(request.META.get("REMOTE_ADDR", ""))
    return str(request.META.get("REMOTE_ADDR", ""))


def _login_of(request: HttpRequest) -> str | None:
    """The account a sign-in request names, in the form the login lookup uses."""
    try:
        if request.content_type == "application/json":
            data: Any = parse_json(request.body)
            value = data.get("username") or data.get("email") if isinstance(data, dict) else None
        else:
            value = request.POST.get("username")
    except (ParseError, RequestDataTooBig, ValueError):
        return None
    return normalize_login(value) if isinstance(value, str) else None


class AdmissionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._source: tuple[int, float, int] | None = None
        self.rates: dict[str, ratelimit.Rate] = {}
        self.rules_by_method: dict[str, list[Rule]] = {}
        self.batched = ratelimit.batched

    def _load(self) -> None:
        """Compile the rates and rules, again whenever the settings objects change."""
        source = (id(settings.RATE_LIMITS), settings.RATE_LIMIT_SCALE, id(settings.RATE_LIMIT_RULES))
        if source != self._source:
            self.rates, rules = _rules()
            self.rules_by_method = {
                method: [rule for rule in rules if method in rule.methods]
                for method in {method for rule in rules for method in rule.methods}
            }
            self._source = source

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _EXEMPT.match(request.path_info):
            return self.get_response(request)
        raw = bearer_token(request)
        access = verified_access(raw) if raw else None
        request.access = access  # type: ignore[attr-defined]  # read by twitter.api.auth.request_access
        if access is not None and is_revoked(access):
            return error_response(401, "token_revoked", "This session has ended: sign in again.")
        if not settings.RATE_LIMITS_ENABLED:
            return self.get_response(request)
        self._load()
        now = time.time()
        general, *tight = self._hits(request, access)
        counts = [self.batched.hit(*general, now)]
        if tight:
            try:
                counts += ratelimit.count(tight, now=now)
            except redis_errors as exc:
                logger.warning("rate limits skipped, redis unavailable: %s", exc)
        tightest = ratelimit.tightest(counts)
        if tightest.exceeded:
            metrics.RATE_LIMITED.labels(tightest.bucket).inc()
            wait = max(1, tightest.reset_at - int(now))
            response: HttpResponse = error_response(
                429, "throttled", f"Too many requests: try again in {wait} seconds."
            )
            response["Retry-After"] = str(wait)
        else:
            response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(tightest.rate.limit)
        response["X-RateLimit-Remaining"] = str(tightest.remaining)
        response["X-RateLimit-Reset"] = str(tightest.reset_at)
        return response

    def _hits(self, request: HttpRequest, access: Access | None) -> list[tuple[str, ratelimit.Rate, str]]:
        """The general bucket first, then each tight one this request falls under. The
        client's address is worked out only when a bucket is kept by it."""
        user = f"u{access.user_id}" if access is not None else None
        general = ("account", user) if user else ("anonymous", client_ip(request))
        hits = [(general[0], self.rates[general[0]], general[1])]
        for rule in self.rules_by_method.get(request.method or "GET", ()):
            if not rule.path.match(request.path_info):
                continue
            if rule.key == "user":
                if user is None:
                    continue  # refused by the view's authentication; counted as anonymous
                identity = user
            elif rule.key == "ip+login":
                login = _login_of(request)
                if login is None:
                    continue
                identity = f"{client_ip(request)}|{login}"
            else:
                identity = client_ip(request)
            hits.append((rule.bucket, self.rates[rule.bucket], identity))
        return hits
