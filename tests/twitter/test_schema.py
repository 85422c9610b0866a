"""The OpenAPI schema of the whole API, as clients and the fuzzer read it."""

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

# Independent of where application data lives: the single-Redis pass only.
pytestmark = pytest.mark.single_redis

ID_PATTERN = "^[0-9]{1,19}$"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return dict(SchemaGenerator(urlconf="config.urls_schema").get_schema(request=None, public=True))


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_it_is_the_whole_api(schema: dict[str, Any]) -> None:
    methods = {(path, method) for path, method, _ in operations(schema)}
    assert {
        ("/api/v1/tweets", "post"),
        ("/api/v1/auth/register", "post"),
        ("/api/v1/users/me", "get"),
        ("/api/v1/users/me", "patch"),
        ("/api/v1/timelines/home", "get"),
        ("/api/v1/streaming/home", "get"),
        ("/api/v1/streaming/notifications", "get"),
        ("/api/v1/media", "post"),
    } <= methods


def test_every_operation_documents_its_errors_in_the_envelope(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        errors = {code: response for code, response in operation["responses"].items() if code[0] in "45"}
        assert {"400", "401", "429", "503"} <= set(errors), (path, method)
        for response in errors.values():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert "Retry-After" in errors["429"]["headers"]
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]


def test_request_bodies_are_the_views_own(schema: dict[str, Any]) -> None:
    names = set(schema["components"]["schemas"])
    assert not {"InputRequest", "PatchedInputRequest"} & names  # no anonymous, colliding inputs
    body = schema["paths"]["/api/v1/tweets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    tweet_input = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert "text" in tweet_input["properties"]
    assert "refresh" not in tweet_input["properties"]
    media = schema["paths"]["/api/v1/media"]["post"]["requestBody"]["content"]
    upload = schema["components"]["schemas"][media["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert upload["properties"]["file"]["format"] == "binary"
    assert set(media) == {"multipart/form-data", "application/json"}


def test_ids_carry_their_pattern(schema: dict[str, Any]) -> None:
    tweet = schema["paths"]["/api/v1/tweets/{tweet_id}"]["get"]
    (parameter,) = [p for p in tweet["parameters"] if p["name"] == "tweet_id"]
    assert parameter["schema"]["pattern"] == ID_PATTERN
    profile = schema["components"]["schemas"]["PatchedUserMeUpdateInputRequest"]
    assert profile["properties"]["avatar_media_id"]["pattern"] == ID_PATTERN


def test_search_results_and_security_are_valid(schema: dict[str, Any]) -> None:
    search = schema["paths"]["/api/v1/search"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert search == {"type": "array", "items": {"$ref": "#/components/schemas/SearchResults"}}
    assert len(schema["components"]["schemas"]["SearchResults"]["oneOf"]) == 3
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"bearerAuth": []} in schema["paths"]["/api/v1/tweets"]["post"]["security"]
