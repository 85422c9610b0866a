"""The signing keys every non-test role must be given, and the keys it must refuse.

A key that anyone can read (in this repository, its history or a compose default) lets
anyone mint a token for any user, staff included. So a role refuses to start with an
empty or short key, or with one this project has ever shipped as a default.
`make run` makes random keys on first run and keeps them in its data folder.
"""

import secrets

from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 50

# Every default this project has shipped: public now, so never good enough to sign with.
PUBLIC_KEYS = frozenset(
    {
        "django-insecure-local-development-key-change-me",
        "change-me-in-production-please-0123456789",
        "change-me",
        "changeme",
        "secret",
    }
)


def new_key() -> str:
    return secrets.token_urlsafe(48)  # 64 characters


def problem_with(value: str) -> str | None:
    """Why `value` must not sign anything, or None when it may."""
    if not value:
        return "is not set"
    if value in PUBLIC_KEYS or value.startswith("django-insecure"):
        return "is a public default (it ships in this repository)"
    if len(value) < MIN_KEY_LENGTH:
        return f"is shorter than {MIN_KEY_LENGTH} characters"
    if len(set(value)) < 5:
        return "has fewer than 5 distinct characters"
    return None


def require_keys(**keys: str) -> None:
    """Raise ImproperlyConfigured naming every key that is missing, short or public."""
    problems = [f"{name} {problem}" for name, value in keys.items() if (problem := problem_with(value))]
    if len(set(keys.values())) < len(keys) and not problems:
        problems.append(f"{' and '.join(keys)} must differ")
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start: " + "; ".join(problems) + ". Set each to a random value of at least"
            f" {MIN_KEY_LENGTH} characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'."
            " (`make run` makes and keeps them in its data folder.)"
        )
