"""The Mastodon-compatible origin's OpenAPI schema: valid, made without one warning, the
whole of that origin's API (every route of both URL sets, and the routes that are not
DRF views), with entities that are Mastodon's as the entity checks read them."""

import json
import re
from typing import Any

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings
from drf_spectacular.validation import validate_schema

from apps.mastodon.api import schema as mastodon_schema
from tests.mastodon.conftest import routes
from tests.mastodon.entities import openapi_components

pytestmark = pytest.mark.single_redis

# Served beside the API, not part of it.
_NOT_API = {"/health/live", "/health/ready", "/api/schema", "/api/docs"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    GENERATOR_STATS.reset()
    with patched_settings(mastodon_schema.SETTINGS):
        generated = SchemaGenerator(urlconf="config.urls_mastodon_schema").get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert not warnings, warnings
    return dict(json.loads(json.dumps(generated)))


def _paths(urlconf: str) -> set[str]:
    """The routes in OpenAPI's form (`/api/v1/statuses/{tweet_id}`)."""
    return {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route, _ in routes(urlconf)}


def test_the_entities_are_mastodons_documented_ones() -> None:
    assert json.loads(json.dumps(openapi_components())) == mastodon_schema.ENTITIES, (
        "regenerate: python -m tests.mastodon.entities > apps/mastodon/api/entities.json"
    )


def test_it_is_valid(schema: dict[str, Any]) -> None:
    validate_schema(schema)


def test_it_is_the_whole_origin(schema: dict[str, Any]) -> None:
    served = _paths("config.urls_mastodon_read") | _paths("config.urls_mastodon_write")
    # The streaming process serves this origin's streams under a prefix (the gateway's rewrite).
    served |= {
        path.removeprefix("/mastodon") for path in _paths("config.urls_streaming") if path.startswith("/mastodon/")
    }
    missing = served - _NOT_API - set(schema["paths"])
    assert not missing, sorted(missing)
    assert not set(schema["paths"]) - served, "documented but not served"


def test_every_operation_says_what_it_returns_and_needs(schema: dict[str, Any]) -> None:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            success = [code for code in operation["responses"] if code.startswith(("2", "3")) or code == "101"]
            assert success, where
            for code in success:
                content = operation["responses"][code].get("content", {})
                if code.startswith("2") and "application/json" in content:
                    assert content["application/json"]["schema"], where
            assert "security" in operation, where
            errors = [code for code in operation["responses"] if code.startswith(("4", "5"))]
            for code in errors:
                error_schema = operation["responses"][code]["content"]
                if "application/json" in error_schema:
                    assert error_schema["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, where


def test_scopes_are_the_views_own(schema: dict[str, Any]) -> None:
    assert schema["paths"]["/api/v1/timelines/home"]["get"]["security"] == [{"oauth2": ["read:statuses"]}]
    assert schema["paths"]["/api/v1/statuses"]["post"]["security"] == [{"oauth2": ["write:statuses"]}]
    # Open to anyone: a token is optional.
    assert {} in schema["paths"]["/api/v1/statuses/{tweet_id}"]["get"]["security"]
    status_post = schema["paths"]["/api/v1/statuses"]["post"]
    assert "Idempotency-Key" in {parameter["name"] for parameter in status_post["parameters"]}
    assert status_post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Status"
    }
